@testable import EmotionPipeline
import TestSupport
import XCTest

/// The timeline's per-face series stays within its capacity however long the run, keeps the
/// mean of what it merges, and keeps the gaps where a face was out of sight.
final class TimelineSeriesTests: XCTestCase {
    private func probabilities(_ p: Float) -> [Float] { [p, 1 - p] }

    func testOnePointPerFrameUntilFull() {
        var series = TimelineSeries(capacity: 8, gapSeconds: 0.5)
        for i in 0..<8 { series.append(time: Double(i) / 10, frame: i, probabilities: probabilities(Float(i) / 10)) }
        XCTAssertEqual(series.points.count, 8)
        XCTAssertEqual(series.points.map(\.frames), Array(repeating: 1, count: 8))
        XCTAssertEqual(series.frameCount, 8)
    }

    /// 100 000 frames (an hour at 30 fps, roughly) in at most 64 points, covering the whole
    /// run, each point the mean of the frames it took (a ramp: exact within float rounding).
    func testALongRunIsThinnedToTheCapacityKeepingMeansAndSpan() {
        var series = TimelineSeries(capacity: 64, gapSeconds: 0.5)
        let n = 100_000
        for i in 0..<n { series.append(time: Double(i) / 30, frame: i, probabilities: probabilities(Float(i) / Float(n))) }
        XCTAssertLessThanOrEqual(series.points.count, 64)
        XCTAssertGreaterThanOrEqual(series.points.count, 32)
        XCTAssertEqual(series.frameCount, n)
        XCTAssertEqual(series.points.map(\.frames).reduce(0, +), n, "every frame is in some point")
        XCTAssertEqual(series.firstTime, 0)
        XCTAssertEqual(series.lastTime, Double(n - 1) / 30, accuracy: 1e-9)
        for point in series.points {
            let meanFrame = Double(point.firstFrame + point.lastFrame) / 2
            XCTAssertEqual(Double(point.probabilities[0]), meanFrame / Double(n), accuracy: 1e-3)
        }
    }

    /// A face out of sight for longer than `gapSeconds` starts a new point, even when points
    /// take several frames each, so the plot's line breaks there.
    func testGapsAreNotMergedOver() {
        var series = TimelineSeries(capacity: 4, gapSeconds: 0.5)
        for i in 0..<8 { series.append(time: Double(i) / 30, frame: i, probabilities: probabilities(0.2)) }
        XCTAssertEqual(series.framesPerPoint, 2)
        series.append(time: 10, frame: 300, probabilities: probabilities(0.9))
        let last = series.points[series.points.count - 1], before = series.points[series.points.count - 2]
        XCTAssertEqual(last.frames, 1)
        XCTAssertTrue(TimelineSeries.isGap(from: before, to: last, gapSeconds: 0.5))
        // Stills (time 0): an image without the face in between is a gap.
        var stills = TimelineSeries(capacity: 4, gapSeconds: 0.5)
        stills.append(time: 0, frame: 0, probabilities: probabilities(0.5))
        stills.append(time: 0, frame: 2, probabilities: probabilities(0.5))
        XCTAssertTrue(TimelineSeries.isGap(from: stills.points[0], to: stills.points[1], gapSeconds: 0.5))
    }
}

/// The timeline keeps at most `maxFaces` faces, dropping the least seen when a new one comes.
final class TimelineFaceBoundTests: XCTestCase {
    func testAtMostMaxFacesAreKeptTheLeastSeenGoFirst() throws {
        let labels = ["happy", "sad"]
        let sink = try TimelineSink(path: "/tmp/emotion-live-timeline-bound-\(getpid()).png", labels: labels)
        sink.maxFaces = 3
        let image = try Fixtures.flatImage(width: 8, height: 8, level: 0)
        for (index, id) in [1, 1, 1, 2, 2, 3, 4, 5, 1].enumerated() {
            let face = FaceResult(id: id, box: FaceBox(x: 0, y: 0, width: 4, height: 4), probabilities: [0.6, 0.4], labels: labels)
            let result = FrameResult(frameIndex: index, time: Double(index) / 10, faces: [face])
            _ = try sink.consume(result, frame: Frame(index: index, time: result.time, image: image))
        }
        XCTAssertEqual(sink.series.keys.sorted(), [1, 2, 5], "3 and then 4 (one frame each, the older first) made room")
        XCTAssertEqual(sink.series[1]?.frameCount, 4)
        sink.discard()
    }
}
