@testable import EmotionPipeline
import TestSupport
import XCTest

/// `bench --video`'s measures: the pipeline's Haar (searches around known faces between
/// whole-frame searches) against full-frame Haar on the same clips, and the recall between them.
final class DetectionBenchmarkTests: XCTestCase {
    /// The default (fast) mode finds at least 95% of full-frame Haar's faces (IoU >= 0.3).
    func testFastModeRecallOnTheSharedClips() throws {
        guard Fixtures.cascadeAvailable else { throw XCTSkip("opencv-data's Haar cascades are not installed") }
        for name in ["dinner_table_854x480.mp4", "woman_talking_596x336.mp4"] {
            let clip = try Fixtures.shared("media/videos/\(name)")
            let options = DetectorOptions()
            let haar = try DetectionBenchmark.haarAlone(video: clip, cascadePath: nil, options: options, maxFrames: 150)
            let fast = try DetectionBenchmark.pipeline(video: clip, classifier: StubClassifier(), cascadePath: nil,
                                                       options: options, maxFrames: 150)
            XCTAssertEqual(fast.frames, haar.frames)
            XCTAssertGreaterThan(haar.faces, 0)
            let recall = DetectionBenchmark.recall(reference: haar.boxes, found: fast.boxes)
            XCTAssertGreaterThanOrEqual(recall, 0.95, name)
        }
    }

    func testRecallMatchesEachBoxOnce() {
        let a = FaceBox(x: 0, y: 0, width: 10, height: 10)
        let b = FaceBox(x: 1, y: 1, width: 10, height: 10)
        let far = FaceBox(x: 100, y: 100, width: 10, height: 10)
        let (matched, total) = DetectionBenchmark.matches(reference: [[a, b], [far], []], found: [[a], [far, a], [a]])
        XCTAssertEqual(matched, 2)
        XCTAssertEqual(total, 3)
        XCTAssertEqual(DetectionBenchmark.recall(reference: [[]], found: [[a]]), 1)
    }
}
