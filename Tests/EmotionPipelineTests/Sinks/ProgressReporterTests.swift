@testable import EmotionPipeline
import Foundation
import TestSupport
import XCTest

/// The progress line's text, and when it is shown at all.
final class ProgressReporterTests: XCTestCase {
    func testLineText() {
        XCTAssertEqual(ProgressReporter.line(done: 120, total: 464, seconds: 4), "frame 120/464 (25%)  30.0 fps  11 s left")
        XCTAssertEqual(ProgressReporter.line(done: 100, total: 10000, seconds: 10), "frame 100/10000 (1%)  10.0 fps  16 min 30 s left")
        XCTAssertEqual(ProgressReporter.line(done: 5, total: nil, seconds: 1), "frame 5  5.0 fps")
    }

    func testOnlyFilesOnATerminal() {
        let video = SourceInfo(kind: .video, name: "a.mp4", width: 1, height: 1, fps: 30, frameCount: 10)
        let camera = SourceInfo(kind: .camera, name: "camera 0", width: 1, height: 1, fps: 30, frameCount: nil)
        let image = SourceInfo(kind: .image, name: "a.jpg", width: 1, height: 1, fps: 0, frameCount: 1)
        let directory = SourceInfo(kind: .image, name: "photos", width: 1, height: 1, fps: 0, frameCount: 12)
        XCTAssertTrue(ProgressReporter.applies(to: video, terminal: true))
        XCTAssertTrue(ProgressReporter.applies(to: directory, terminal: true))
        XCTAssertFalse(ProgressReporter.applies(to: video, terminal: false), "never in pipes")
        XCTAssertFalse(ProgressReporter.applies(to: camera, terminal: true))
        XCTAssertFalse(ProgressReporter.applies(to: image, terminal: true))
    }

    func testMaxFramesShortensTheTotalAndTheLineIsClearedAtTheEnd() throws {
        var written: [String] = []
        let reporter = ProgressReporter(limit: 20) { written.append($0) }
        try reporter.begin(source: SourceInfo(kind: .video, name: "a.mp4", width: 1, height: 1, fps: 30, frameCount: 464))
        let frame = Frame(index: 0, time: 0, image: try Fixtures.flatImage(width: 4, height: 4, level: 0))
        _ = try reporter.consume(FrameResult(frameIndex: 0, time: 0, faces: []), frame: frame)
        try reporter.finish()
        XCTAssertTrue(written.first?.contains("frame 1/20 (5%)") == true, "\(written)")
        XCTAssertEqual(written.last, "\r\u{1B}[K")
    }

    func testSmoothingDefaultsOnInAWindowOffHeadless() {
        XCTAssertEqual(RunOptions().effectiveSmoothSeconds, 0.5)
        XCTAssertEqual(RunOptions(headless: true).effectiveSmoothSeconds, 0)
        XCTAssertEqual(RunOptions(headless: true, smoothSeconds: 1).effectiveSmoothSeconds, 1)
        XCTAssertEqual(RunOptions(smoothSeconds: 0).effectiveSmoothSeconds, 0)
    }

    func testSnapshotNamesCarryTheTimeToTheMillisecond() {
        let name = WindowSink.snapshotName(at: Date(timeIntervalSince1970: 0))
        XCTAssertTrue(name.hasPrefix("emotion-live-19") || name.hasPrefix("emotion-live-20"), name)
        XCTAssertTrue(name.hasSuffix(".png"))
        XCTAssertEqual(name.count, "emotion-live-YYYYMMDD-HHMMSS-mmm.png".count)
        // Local time, as the clock on the wall shows it, with the milliseconds of the moment.
        let moment = Date(timeIntervalSince1970: 1_790_000_000.042)
        var seconds = time_t(1_790_000_000)
        var local = tm()
        localtime_r(&seconds, &local)
        let expected = "emotion-live-" + String(format: "%04d%02d%02d-%02d%02d%02d-042.png", local.tm_year + 1900,
                                                local.tm_mon + 1, local.tm_mday, local.tm_hour, local.tm_min, local.tm_sec)
        XCTAssertEqual(WindowSink.snapshotName(at: moment), expected)
    }
}
