import EmotionPipeline
import Foundation
import TestSupport
import XCTest

/// The pieces `assemblePipeline` puts together and the end-of-run hook every sink gets.
final class PipelineAssemblyTests: XCTestCase {
    /// Records how the run ended, as the sinks that write files or summaries are told.
    final class OutcomeSink: FrameSink {
        var outcomes: [RunOutcome] = []
        var finished = 0
        func consume(_ result: FrameResult, frame: Frame) throws -> Bool { true }
        func finish() throws { finished += 1 }
        func complete(_ outcome: RunOutcome) throws { outcomes.append(outcome) }
    }

    /// Frames until `count`, then `failure` (or the end).
    final class FailingSource: FrameSource {
        let info = SourceInfo(kind: .stream, name: "rtsp://***@cam/live", width: 80, height: 60, fps: 10, frameCount: nil)
        let count: Int
        let failure: Error?
        private var delivered = 0
        init(count: Int, failure: Error?) {
            self.count = count
            self.failure = failure
        }
        func nextFrame() throws -> Frame? {
            guard delivered < count else {
                if let failure { throw failure }
                return nil
            }
            defer { delivered += 1 }
            return Frame(index: delivered, time: Double(delivered) / 10, image: try Fixtures.flatImage(width: 80, height: 60, level: 40))
        }
        func close() {}
    }

    private func run(_ source: FrameSource) throws -> (OutcomeSink, Error?) {
        guard Fixtures.cascadeAvailable else { throw XCTSkip("opencv-data's Haar cascades are not installed") }
        let classifier = StubClassifier()
        let sink = OutcomeSink()
        let pipeline = Pipeline(source: source, detector: try HaarDetector(), preprocessor: classifier.makePreprocessor(),
                                classifier: classifier, tracking: FaceTracking(labels: classifier.labels, smoothSeconds: 0),
                                sinks: [sink])
        do {
            try pipeline.run()
            return (sink, nil)
        } catch {
            return (sink, error)
        }
    }

    /// Finished, failed, and failed after frames worth keeping (a lost live stream): each sink
    /// hears it once, after it has finished.
    func testEverySinkHearsOnceHowTheRunEnded() throws {
        let (finished, none) = try run(FailingSource(count: 3, failure: nil))
        XCTAssertNil(none)
        XCTAssertEqual(finished.outcomes, [.finished])
        XCTAssertEqual(finished.finished, 1)

        let broken = PipelineError.frameFailed(frame: 2, stage: "detection", reason: "test")
        let (failed, error) = try run(FailingSource(count: 2, failure: broken))
        XCTAssertEqual(error as? PipelineError, broken)
        XCTAssertEqual(failed.outcomes, [.failed(keepsFrames: false)])
        XCTAssertEqual(failed.finished, 1)

        let lost = PipelineError.streamLost(url: "rtsp://***@cam/live", seconds: 30, reason: "refused")
        let (kept, lostError) = try run(FailingSource(count: 2, failure: lost))
        XCTAssertEqual(lostError as? PipelineError, lost)
        XCTAssertEqual(kept.outcomes, [.failed(keepsFrames: true)], "a lost live stream keeps the frames done")
        XCTAssertTrue(RunOutcome.failed(keepsFrames: true).keepsFrames && RunOutcome.finished.keepsFrames)
        XCTAssertFalse(RunOutcome.failed(keepsFrames: false).keepsFrames)
    }

    /// The clock the window shows frames by and the pipeline skips late frames by.
    func testPlaybackClockAnchorsAtTheFirstFrameAndRestarts() {
        let clock = PlaybackClock()
        let now = MonotonicClock.now()
        XCTAssertEqual(clock.due(10), now, accuracy: 0.05, "the first frame anchors the clock")
        XCTAssertEqual(clock.due(10.5), now + 0.5, accuracy: 0.05)
        XCTAssertFalse(clock.isLate(10.2, interval: 0.05))
        XCTAssertTrue(clock.isLate(9.5, interval: 0.05), "half a second before the anchor is late")
        // More than a second behind: the clock starts again from that frame.
        XCTAssertEqual(clock.due(8), MonotonicClock.now(), accuracy: 0.05)
        XCTAssertEqual(clock.due(9), MonotonicClock.now() + 1, accuracy: 0.05)
        clock.restart()
        XCTAssertEqual(clock.due(100), MonotonicClock.now(), accuracy: 0.05, "after a pause, from the next frame")
    }

    /// Frames come grey unless a sink draws on them (the annotated video, the window).
    func testFramesAreGreyUnlessASinkDraws() throws {
        guard Fixtures.cascadeAvailable else { throw XCTSkip("opencv-data's Haar cascades are not installed") }
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clip = directory.appendingPathComponent("clip.avi").path
        let writer = try VideoWriter(path: clip, fourcc: "MJPG", fps: 20, width: 80, height: 60)
        for i in 0..<3 { try writer.write(Fixtures.flatImage(width: 80, height: 60, level: UInt8(i * 40))) }
        writer.close()
        let headless = RunOptions(source: clip, headless: true, format: .jsonl, progress: false)
        var drawing = headless
        drawing.outputPath = directory.appendingPathComponent("out.avi").path
        for (options, channels) in [(headless, 1), (drawing, 3)] {
            let assembled = try assemblePipeline(options: options, classifier: StubClassifier(), output: Discard(), diagnostics: Discard())
            XCTAssertNil(assembled.playback, "headless runs are not paced")
            XCTAssertEqual(try assembled.pipeline.source.nextFrame()?.image.channels, channels)
            assembled.pipeline.source.close()
        }
    }

    private final class Discard: LineOutput {
        func writeLine(_ line: String) throws {}
    }
}
