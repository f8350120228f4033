@testable import EmotionPipeline
import Foundation
import TestSupport
import XCTest

final class PipelineTests: XCTestCase {
    private func makePipeline(source: FrameSource, classifier: StubClassifier, sinks: [FrameSink]) throws -> Pipeline {
        guard Fixtures.cascadeAvailable else { throw XCTSkip("opencv-data's Haar cascades are not installed") }
        return Pipeline(source: source, detector: try HaarDetector(), preprocessor: classifier.makePreprocessor(),
                        classifier: classifier, sinks: sinks)
    }

    private func generatedClip(frames: Int) throws -> (path: String, directory: URL) {
        let directory = try Fixtures.temporaryDirectory()
        let path = directory.appendingPathComponent("clip.avi").path
        let writer = try VideoWriter(path: path, fourcc: "MJPG", fps: 20, width: 80, height: 60)
        for i in 0..<frames { try writer.write(Fixtures.flatImage(width: 80, height: 60, level: UInt8(i))) }
        writer.close()
        return (path, directory)
    }

    /// Every frame gets its line, faces or not, in order, with the source's times.
    func testOneLinePerFrameWithoutFaces() throws {
        let clip = try generatedClip(frames: 12)
        defer { try? FileManager.default.removeItem(at: clip.directory) }
        let output = LineCollector()
        let classifier = StubClassifier()
        let pipeline = try makePipeline(source: try VideoFileSource(path: clip.path), classifier: classifier,
                                        sinks: [JSONLinesSink(labels: classifier.labels, output: output)])
        let statistics = try pipeline.run()
        XCTAssertEqual(statistics.frames, 12)
        XCTAssertEqual(statistics.framesWithFaces, 0)
        XCTAssertEqual(output.lines.count, 12)
        XCTAssertEqual(output.lines[3], #"{"frame": 3, "time": 0.15, "faces": []}"#)
        XCTAssertEqual(classifier.batches, [])
    }

    func testMaxFramesAndStoppingSinks() throws {
        let clip = try generatedClip(frames: 12)
        defer { try? FileManager.default.removeItem(at: clip.directory) }
        let output = LineCollector()
        let limited = try makePipeline(source: try VideoFileSource(path: clip.path), classifier: StubClassifier(),
                                       sinks: [HeadlessTextSink(output: output)])
        XCTAssertEqual(try limited.run(maxFrames: 5).frames, 5)
        XCTAssertEqual(output.lines.last, "frame 4 t=0.200s: no faces")

        final class StopAfterTwo: FrameSink {
            var seen = 0
            var finished = 0
            func consume(_ result: FrameResult, frame: Frame) throws -> Bool { seen += 1; return seen < 2 }
            func finish() throws { finished += 1 }
        }
        let stopper = StopAfterTwo()
        let stopped = try makePipeline(source: try VideoFileSource(path: clip.path), classifier: StubClassifier(), sinks: [stopper])
        XCTAssertEqual(try stopped.run().frames, 2)
        XCTAssertEqual(stopper.finished, 1)
    }

    /// Real-time pacing (window mode): a sink slower than the clip's frame rate makes the
    /// pipeline skip frames so the clip still takes its own duration; headless skips nothing.
    func testRealTimePacingSkipsFramesWhenBehind() throws {
        let clip = try generatedClip(frames: 20)  // 20 fps: one second
        defer { try? FileManager.default.removeItem(at: clip.directory) }
        final class SlowSink: FrameSink {
            func consume(_ result: FrameResult, frame: Frame) throws -> Bool {
                // The slowness under test, not a wait: 0.12 s a frame against the clip's 0.05 s
                // puts the paced run behind the wall clock (PlaybackClock reads the real one).
                Thread.sleep(forTimeInterval: 0.12)
                return true
            }
        }
        let paced = try makePipeline(source: try VideoFileSource(path: clip.path), classifier: StubClassifier(), sinks: [SlowSink()])
        let statistics = try paced.run(playback: PlaybackClock())
        XCTAssertEqual(statistics.frames + statistics.skippedFrames, 20)
        XCTAssertLessThan(statistics.frames, 14, "\(statistics)")
        XCTAssertLessThan(statistics.seconds, 1.8)
        let unpaced = try makePipeline(source: try VideoFileSource(path: clip.path), classifier: StubClassifier(), sinks: [SlowSink()])
        XCTAssertEqual(try unpaced.run().frames, 20)
    }

    /// A frame's faces go to the classifier in one batch, preprocessed to its input.
    func testFacesOfAFrameAreClassifiedInOneBatch() throws {
        let classifier = StubClassifier(height: 64, width: 64, channels: 3, scale: .signed)
        let output = LineCollector()
        let pipeline = try makePipeline(source: try ImageSource(path: try Fixtures.shared("media/images/two_people.jpg")),
                                        classifier: classifier, sinks: [JSONLinesSink(labels: classifier.labels, output: output)])
        let statistics = try pipeline.run()
        XCTAssertEqual(statistics.faces, 2)
        XCTAssertEqual(classifier.batches, [2])
        for mean in classifier.means { XCTAssertTrue((-1...1).contains(mean), "signed scaling: \(mean)") }
        let object = try JSONSerialization.jsonObject(with: Data(output.lines[0].utf8)) as? [String: Any]
        XCTAssertEqual((object?["faces"] as? [[String: Any]])?.count, 2)
    }

    /// The shared clip: a line per frame and a face in about 96% of frames (Haar's figure).
    func testSharedClipFaceShare() throws {
        let path = try Fixtures.shared("media/videos/woman_talking_596x336.mp4")
        let output = LineCollector()
        let classifier = StubClassifier()
        let pipeline = try makePipeline(source: try VideoFileSource(path: path), classifier: classifier,
                                        sinks: [JSONLinesSink(labels: classifier.labels, output: output)])
        let statistics = try pipeline.run()
        XCTAssertEqual(statistics.frames, 464)
        XCTAssertEqual(output.lines.count, 464)
        // Full-frame Haar finds the face in ~96% of frames (../shared's README); searching
        // around a face already found also recovers most of the frames it misses.
        XCTAssertGreaterThanOrEqual(statistics.faceFrameShare, 0.93)
        print("woman_talking: faces in \(statistics.framesWithFaces)/\(statistics.frames) frames, "
              + String(format: "%.1f fps (debug build, stub classifier)", statistics.framesPerSecond))
    }

    /// Headless runs on files detect the next frame's faces on another thread: the results are
    /// those of processing one frame at a time, line for line.
    func testOverlappedDetectionGivesTheResultsOfOneFrameAtATime() throws {
        let path = try Fixtures.shared("media/videos/dinner_table_854x480.mp4")
        let classifier = StubClassifier()
        let overlapped = LineCollector()
        let pipeline = try makePipeline(source: try VideoFileSource(path: path), classifier: classifier,
                                        sinks: [JSONLinesSink(labels: classifier.labels, output: overlapped)])
        XCTAssertEqual(try pipeline.run(maxFrames: 60).frames, 60)

        let serial = LineCollector()
        let sink = JSONLinesSink(labels: classifier.labels, output: serial)
        let source = try VideoFileSource(path: path)
        defer { source.close() }
        let stepper = try makePipeline(source: source, classifier: classifier, sinks: [])
        try sink.begin(source: source.info)
        while serial.lines.count < 60, let frame = try source.nextFrame() {
            _ = try sink.consume(try stepper.process(frame), frame: frame)
        }
        XCTAssertEqual(overlapped.lines, serial.lines)
        XCTAssertGreaterThan(overlapped.lines.filter { !$0.contains(#""faces": []"#) }.count, 30, "faces were found")
    }

    /// Sinks that do not draw get frames whose picture was let go after detection (the
    /// preprocessed faces travel instead); when one sink draws, every sink gets the pictures.
    /// The results are the same either way.
    func testPicturesReachSinksOnlyWhenOneDraws() throws {
        let clip = try generatedClip(frames: 6)
        defer { try? FileManager.default.removeItem(at: clip.directory) }
        final class PictureSizes: FrameSink {
            let draws: Bool
            var sizes: [Int] = []
            var drawsOnFrames: Bool { draws }
            init(draws: Bool) { self.draws = draws }
            func consume(_ result: FrameResult, frame: Frame) throws -> Bool {
                sizes.append(frame.image.width * frame.image.height)
                return true
            }
        }
        let blind = PictureSizes(draws: false)
        let blindLines = LineCollector()
        let classifier = StubClassifier()
        _ = try makePipeline(source: try VideoFileSource(path: clip.path), classifier: classifier,
                             sinks: [blind, JSONLinesSink(labels: classifier.labels, output: blindLines)]).run()
        XCTAssertEqual(blind.sizes, Array(repeating: 0, count: 6))

        let drawing = PictureSizes(draws: true), watching = PictureSizes(draws: false)
        let drawingLines = LineCollector()
        _ = try makePipeline(source: try VideoFileSource(path: clip.path), classifier: classifier,
                             sinks: [watching, drawing, JSONLinesSink(labels: classifier.labels, output: drawingLines)]).run()
        XCTAssertEqual(drawing.sizes, Array(repeating: 80 * 60, count: 6))
        XCTAssertEqual(watching.sizes, drawing.sizes)
        XCTAssertEqual(drawingLines.lines, blindLines.lines)
        XCTAssertEqual(blindLines.lines.count, 6)
    }

    /// A source that fails while the detection thread reads ahead: the frames before the
    /// failure reach the sinks, the error ends the run, and the source is closed only after
    /// the detection thread has let go of it.
    func testAnErrorWhileDetectingAheadEndsTheRunAfterTheFramesBeforeIt() throws {
        final class FailingSource: FrameSource {
            let info = SourceInfo(kind: .video, name: "failing.mp4", width: 80, height: 60, fps: 20, frameCount: nil)
            private let lock = NSLock()
            private var delivered = 0
            private var reading = false
            private(set) var closedWhileReading = false
            private(set) var closed = false

            func nextFrame() throws -> Frame? {
                lock.withLock { reading = true }
                defer { lock.withLock { reading = false } }
                // Not a wait: each read takes a while, so that a close during a read would
                // land inside it and be seen.
                Thread.sleep(forTimeInterval: 0.002)
                let index = lock.withLock { () -> Int in
                    defer { delivered += 1 }
                    return delivered
                }
                if index == 7 { throw PipelineError.sourceUnreadable(path: info.name, reason: "broken at frame 7") }
                return Frame(index: index, time: Double(index) / 20,
                             image: try Fixtures.flatImage(width: 80, height: 60, level: UInt8(index)))
            }

            func close() {
                lock.withLock {
                    closedWhileReading = closedWhileReading || reading
                    closed = true
                }
            }
        }
        let source = FailingSource()
        let output = LineCollector()
        let classifier = StubClassifier()
        let pipeline = try makePipeline(source: source, classifier: classifier,
                                        sinks: [JSONLinesSink(labels: classifier.labels, output: output)])
        XCTAssertThrowsError(try pipeline.run()) { error in
            XCTAssertEqual(String(describing: error), "failing.mp4: cannot read source: broken at frame 7")
        }
        XCTAssertEqual(output.lines.count, 7)
        XCTAssertTrue(source.closed)
        XCTAssertFalse(source.closedWhileReading)

        // Stopping early (maxFrames) while the thread is reading the next frame: the same.
        for _ in 0..<5 {
            let early = FailingSource()
            let stopped = try makePipeline(source: early, classifier: classifier, sinks: [])
            XCTAssertEqual(try stopped.run(maxFrames: 3).frames, 3)
            XCTAssertTrue(early.closed)
            XCTAssertFalse(early.closedWhileReading)
        }
    }

    /// Without a reachable display the window sink reports it (Qt would abort the process).
    func testWindowWithoutADisplayIsAnError() throws {
        let saved = ProcessInfo.processInfo.environment["DISPLAY"]
        let savedPlatform = ProcessInfo.processInfo.environment["QT_QPA_PLATFORM"]
        defer {
            if let saved { setenv("DISPLAY", saved, 1) } else { unsetenv("DISPLAY") }
            if let savedPlatform { setenv("QT_QPA_PLATFORM", savedPlatform, 1) }
        }
        unsetenv("QT_QPA_PLATFORM")
        let info = SourceInfo(kind: .image, name: "x.png", width: 10, height: 10, fps: 0, frameCount: 1)
        for (display, reason) in [(nil, "no display (DISPLAY is not set)"), (":987", "cannot connect to display ':987'")] {
            if let display { setenv("DISPLAY", display, 1) } else { unsetenv("DISPLAY") }
            XCTAssertThrowsError(try WindowSink().begin(source: info)) { error in
                XCTAssertEqual(error as? PipelineError, .windowUnavailable(reason: reason))
                XCTAssertEqual("\(error)", "cannot open a window: \(reason) (try --headless)")
            }
        }
    }

    /// Window mode under a display (Xvfb in CI): an image is shown, annotated, until a key or
    /// the window closes; a clip plays at its frame rate by the playback clock the pipeline and
    /// the window share.
    func testWindowPlaysAClipAtItsFrameRate() throws {
        guard ProcessInfo.processInfo.environment["DISPLAY"] != nil else { throw XCTSkip("no DISPLAY (run under xvfb-run)") }
        let clip = try generatedClip(frames: 10)
        defer { try? FileManager.default.removeItem(at: clip.directory) }
        let playback = PlaybackClock()
        let pipeline = try makePipeline(source: try VideoFileSource(path: clip.path), classifier: StubClassifier(),
                                        sinks: [WindowSink(playback: playback)])
        let statistics = try pipeline.run(playback: playback)
        XCTAssertEqual(statistics.frames, 10)
        // 10 frames at 20 fps take about half a second.
        XCTAssertGreaterThan(statistics.seconds, 0.4)
    }
}
