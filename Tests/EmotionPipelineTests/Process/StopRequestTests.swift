@testable import EmotionPipeline
import Foundation
import TestSupport
import XCTest

/// Stopping a run from outside: a request made from another thread while the source never
/// ends (what SIGINT does to a camera run), and a sink whose reader has gone.
final class StopRequestTests: XCTestCase {
    /// A source with no end, like a camera: flat 80x60 frames at 30 fps, as fast as asked.
    final class EndlessSource: FrameSource {
        let info = SourceInfo(kind: .camera, name: "endless", width: 80, height: 60, fps: 30, frameCount: nil)
        private(set) var delivered = 0
        private(set) var closed = false

        func nextFrame() throws -> Frame? {
            defer { delivered += 1 }
            return Frame(index: delivered, time: Double(delivered) / 30,
                         image: try Fixtures.flatImage(width: 80, height: 60, level: UInt8(delivered % 200)))
        }

        func close() { closed = true }
    }

    /// Counts frames; makes a request after `after` frames (nil: never), or fails as a closed
    /// standard output from frame `closedAt` on.
    final class CountingSink: FrameSink {
        var frames = 0
        var finished = 0
        var onFrame: (Int) throws -> Void = { _ in }
        func consume(_ result: FrameResult, frame: Frame) throws -> Bool {
            frames += 1
            try onFrame(frame.index)
            return true
        }
        func finish() throws { finished += 1 }
    }

    private func makePipeline(source: FrameSource, sinks: [FrameSink]) throws -> Pipeline {
        guard Fixtures.cascadeAvailable else { throw XCTSkip("opencv-data's Haar cascades are not installed") }
        let classifier = StubClassifier()
        return Pipeline(source: source, detector: try HaarDetector(), preprocessor: classifier.makePreprocessor(),
                        classifier: classifier, sinks: sinks)
    }

    func testTheFirstReasonIsKept() {
        let stop = StopRequest()
        XCTAssertNil(stop.reason)
        XCTAssertFalse(stop.isRequested)
        stop.request(.signal(SIGTERM))
        stop.request(.signal(SIGINT))
        stop.request(.outputClosed)
        XCTAssertEqual(stop.reason, .signal(SIGTERM))
        XCTAssertEqual(StopReason.signal(SIGINT).exitStatus, 130)
        XCTAssertEqual(StopReason.signal(SIGTERM).exitStatus, 143)
        XCTAssertEqual(StopReason.outputClosed.exitStatus, 0)
    }

    /// An endless source stops between frames once another thread asks: every frame read
    /// reached the sink, the sink was finished and the source closed.
    func testARequestFromAnotherThreadStopsAnEndlessSourceBetweenFrames() throws {
        let source = EndlessSource()
        let sink = CountingSink()
        let stop = StopRequest()
        sink.onFrame = { index in
            if index == 20 {
                // As the signal watcher does: from its own thread, while a frame is in progress.
                let asked = DispatchSemaphore(value: 0)
                Thread.detachNewThread { stop.request(.signal(SIGINT)); asked.signal() }
                asked.wait()
            }
        }
        let pipeline = try makePipeline(source: source, sinks: [sink])
        let statistics = try pipeline.run(stop: stop)
        XCTAssertEqual(statistics.stopReason, .signal(SIGINT))
        XCTAssertEqual(statistics.frames, 21, "the frame in progress is finished, no other is started")
        XCTAssertEqual(sink.frames, 21)
        XCTAssertEqual(source.delivered, 21)
        XCTAssertEqual(sink.finished, 1)
        XCTAssertTrue(source.closed)
    }

    /// A sink whose reader has gone ends the run without an error, after the other sinks got
    /// that frame too.
    func testAClosedOutputEndsTheRunAfterTheFrameReachedEverySink() throws {
        let closing = CountingSink()
        closing.onFrame = { index in if index >= 5 { throw PipelineError.outputClosed } }
        let after = CountingSink()
        let pipeline = try makePipeline(source: EndlessSource(), sinks: [closing, after])
        let statistics = try pipeline.run()
        XCTAssertEqual(statistics.stopReason, .outputClosed)
        XCTAssertEqual(statistics.frames, 6)
        XCTAssertEqual(after.frames, 6, "the sink after the closed one still got the last frame")
        XCTAssertEqual(after.finished, 1)
    }
}
