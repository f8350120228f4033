@testable import EmotionPipeline
@testable import FaceDetection
import TestSupport
import XCTest

/// MTCNN frame after frame on the shared clips: a new shot's faces are searched for on the cut
/// itself, and a face the whole search misses for a moment stays followed. Each runs on a few
/// frames of the clip (a debug build searches a frame in about a second).
final class MTCNNFrameDetectorTests: XCTestCase {
    private func detector(every: Int) throws -> MTCNNFrameDetector {
        let models = { MTCNNDetectorTests.model($0) }
        return MTCNNFrameDetector(detector: try MTCNNDetector(pnet: models("pnet"), rnet: models("rnet"), onet: models("onet")),
                                  detectEvery: every)
    }

    /// The frames a `SceneCut` calls cuts, and the frames themselves.
    private func frames(_ clip: String, count: Int) throws -> (pictures: [Image], cuts: [Int]) {
        var cut = SceneCut(), cuts: [Int] = [], pictures: [Image] = []
        let capture = try VideoCapture(filePath: clip)
        while pictures.count < count, let item = try capture.read() {
            let bytes = item.image.bytes
            if bytes.withUnsafeBufferPointer({ cut.isCut(pixels: $0, width: item.image.width, height: item.image.height,
                                                         channels: item.image.channels) }) {
                cuts.append(pictures.count)
            }
            pictures.append(item.image)
        }
        return (pictures, cuts)
    }

    /// profile_performer cuts between the stage and the audience (its first 120 frames). A detector that searches the
    /// whole frame every fourth frame, started six frames before a cut (so the cut falls between
    /// its whole searches), finds on the cut frame the faces a whole search of it finds (IoU >= 0.5).
    func testANewShotIsSearchedOnItsFirstFrame() throws {
        let clip = try Fixtures.shared("media/videos/profile_performer.mp4")
        let (pictures, cuts) = try frames(clip, count: 120)  // the cuts at frames 20 and 82
        var checked = 0
        for cut in cuts where cut >= 6 {
            let finder = try detector(every: 4)
            var found: [DetectedFace] = []
            for picture in pictures[(cut - 6)...cut] {
                found = try finder.faces(in: picture)
            }
            let expected = try detector(every: 1).faces(in: pictures[cut])
            for face in expected {
                XCTAssertTrue(found.contains { $0.box.intersectionOverUnion(face.box) >= 0.5 },
                              "cut at frame \(cut): \(face.box) not in \(found.map(\.box))")
            }
            checked += expected.count
        }
        XCTAssertGreaterThan(checked, 0, "no faces on the cuts \(cuts): the test would check nothing")
    }

    /// phone_smile shows one face in every frame; on frames 20-23, looking down with hair across
    /// it, the whole search at frame 20 misses it (those frames were empty before known faces
    /// were followed through whole searches). Frames 12-28, the detector started at 12.
    func testAFaceTheWholeSearchMissesStaysFollowed() throws {
        let clip = try Fixtures.shared("media/videos/phone_smile_vfr.mp4")
        let pictures = try frames(clip, count: 29).pictures
        let finder = try detector(every: 4)
        var missing: [Int] = []
        for index in 12..<pictures.count where try finder.faces(in: pictures[index]).count != 1 {
            missing.append(index)
        }
        XCTAssertEqual(missing, [], "frames without exactly one face")
        XCTAssertEqual(pictures.count, 29)
    }
}
