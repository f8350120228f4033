@testable import EmotionPipeline
import XCTest

/// Ids follow faces: moving boxes keep theirs, new faces get new ones, ids are never reused,
/// a face missing for a moment keeps its id.
final class FaceTrackerTests: XCTestCase {
    private func box(_ x: Int, _ y: Int, _ size: Int = 80) -> FaceBox { FaceBox(x: x, y: y, width: size, height: size) }

    func testTwoFacesMovingKeepTheirIdsWhateverTheOrder() {
        var tracker = FaceTracker()
        XCTAssertEqual(tracker.assign([box(10, 10), box(300, 20)], time: 0), [1, 2])
        XCTAssertEqual(tracker.assign([box(305, 22), box(14, 12)], time: 0.04), [2, 1], "order of detections does not matter")
        XCTAssertEqual(tracker.assign([box(20, 15), box(310, 25)], time: 0.08), [1, 2])
    }

    func testAFastMoveWithoutOverlapStillMatchesByCentreDistance() {
        var tracker = FaceTracker()
        XCTAssertEqual(tracker.assign([box(100, 100)], time: 0), [1])
        // 40 px right on an 80 px face: IoU 0.33 -> overlap match; 60 px: IoU 0.14 -> centre distance 0.75... too far?
        XCTAssertEqual(tracker.assign([box(140, 100)], time: 0.04), [1])
        XCTAssertEqual(tracker.assign([box(180, 110)], time: 0.08), [1], "centres 0.56 face widths apart")
        XCTAssertEqual(tracker.assign([box(400, 110)], time: 0.12), [2], "too far: a new face")
    }

    func testAMissingFaceKeepsItsIdForAWhileThenIdsAreNotReused() {
        var tracker = FaceTracker(maxMissingSeconds: 1.0, maxMissingFrames: 3)
        XCTAssertEqual(tracker.assign([box(50, 50)], time: 0), [1])
        for i in 1...5 { XCTAssertEqual(tracker.assign([], time: Double(i) * 0.04), []) }
        XCTAssertEqual(tracker.assign([box(52, 50)], time: 0.24), [1], "back after 5 frames (0.2 s): same id")
        for i in 1...30 { _ = tracker.assign([], time: 0.24 + Double(i) * 0.04) }
        XCTAssertEqual(tracker.assign([box(52, 50)], time: 1.5), [2], "gone for over a second and 3 frames: a new id, 1 is not reused")
        tracker.forgetTracks()
        XCTAssertEqual(tracker.assign([box(52, 50)], time: 1.54), [3])
    }

    func testTwoNewFacesNeverShareAnId() {
        var tracker = FaceTracker()
        XCTAssertEqual(tracker.assign([box(10, 10)], time: 0), [1])
        let ids = tracker.assign([box(12, 10), box(14, 12)], time: 0.04)
        XCTAssertEqual(ids, [1, 2], "the closer box continues the track, the other starts one")
    }

    func testIntersectionOverUnion() {
        XCTAssertEqual(FaceTracker.intersectionOverUnion(box(0, 0, 10), box(0, 0, 10)), 1)
        XCTAssertEqual(FaceTracker.intersectionOverUnion(box(0, 0, 10), box(5, 0, 10)), 50.0 / 150, accuracy: 1e-9)
        XCTAssertEqual(FaceTracker.intersectionOverUnion(box(0, 0, 10), box(20, 0, 10)), 0)
    }
}
