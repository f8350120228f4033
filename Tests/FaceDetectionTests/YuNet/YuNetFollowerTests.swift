@testable import EmotionPipeline
@testable import FaceDetection
import TestSupport
import XCTest

/// YuNet frame after frame with a cadence (`YuNetFrameDetector` with `detectEvery` > 1, following
/// by `YuNetFollower`) against the whole-frame search of the same frames, on the shared clips.
/// Skipped, saying so, without ../shared.
final class YuNetFollowerTests: XCTestCase {
    private func finder(every: Int) throws -> YuNetFrameDetector {
        YuNetFrameDetector(detector: try YuNetDetectorTests.makeDetector(), detectEvery: every)
    }

    /// The first `count` frames of a clip, as the pipeline decodes them (BGR), and the frames a
    /// `SceneCut` calls cuts.
    private func frames(_ name: String, count: Int) throws -> (pictures: [Image], cuts: [Int]) {
        let capture = try VideoCapture(filePath: try Fixtures.shared("media/videos/\(name)"))
        var cut = SceneCut(), cuts: [Int] = [], pictures: [Image] = []
        while pictures.count < count, let item = try capture.read() {
            let image = item.image
            let isCut = image.withUnsafePixels { base, stride in
                cut.isCut(pixels: base!, width: image.width, height: image.height, channels: image.channels, rowStride: stride)
            }
            if isCut { cuts.append(pictures.count) }
            pictures.append(image)
        }
        return (pictures, cuts)
    }

    /// dinner_table's first 48 frames (about 6 faces each), whole searches every 4th: on the
    /// frames between, the faces followed are the ones the whole search finds there (same face:
    /// IoU >= 0.5 of the reported boxes). Tolerances, set from the measured figures printed
    /// below with some room: at least 95% of the whole search's faces followed, at least 97% of
    /// the faces followed found by the whole search too, box IoU median >= 0.85, landmarks within
    /// 6% of the box's side (median) and 15% (95th percentile). Measured: 196 of 202 followed,
    /// none extra, IoU median 0.90, landmarks 4.7% and 10.6%.
    func testFollowedFacesAreTheWholeSearchsFaces() throws {
        let pictures = try frames("dinner_table_854x480.mp4", count: 48).pictures
        let cadence = try finder(every: 4), whole = try finder(every: 1)
        var wanted = 0, followed = 0, ious: [Double] = [], landmarkErrors: [Double] = []
        for (index, picture) in pictures.enumerated() {
            let ours = try cadence.faces(in: picture), theirs = try whole.faces(in: picture)
            if index % 4 == 0 {
                XCTAssertEqual(ours, theirs, "frame \(index) is searched whole")
                continue
            }
            wanted += theirs.count
            followed += ours.count
            for face in ours {
                guard let best = theirs.max(by: { $0.box.intersectionOverUnion(face.box) < $1.box.intersectionOverUnion(face.box) }),
                      best.box.intersectionOverUnion(face.box) >= 0.5 else { continue }
                ious.append(best.box.intersectionOverUnion(face.box))
                let error = zip(face.landmarks ?? [], best.landmarks ?? []).map { max(abs($0.x - $1.x), abs($0.y - $1.y)) }.max() ?? 0
                landmarkErrors.append(error / Double(best.box.width))
            }
        }
        func quantile(_ values: [Double], _ q: Double) -> Double { values.sorted()[Int(Double(values.count - 1) * q)] }
        XCTAssertGreaterThan(wanted, 100, "too few faces to compare: the test would check little")
        let (recall, precision) = (Double(ious.count) / Double(wanted), Double(ious.count) / Double(max(followed, 1)))
        XCTAssertGreaterThanOrEqual(recall, 0.95, "share of the whole search's faces followed")
        XCTAssertGreaterThanOrEqual(precision, 0.97, "share of the faces followed that the whole search finds")
        XCTAssertGreaterThanOrEqual(quantile(ious, 0.5), 0.85)
        XCTAssertLessThanOrEqual(quantile(landmarkErrors, 0.5), 0.06)
        XCTAssertLessThanOrEqual(quantile(landmarkErrors, 0.95), 0.15)
        print("YuNet following on dinner_table frames 1-47 (whole every 4th): \(ious.count) of \(wanted) whole-search faces "
              + "followed, \(followed) followed; box IoU median \(quantile(ious, 0.5)), lowest \(ious.min() ?? 0); landmarks "
              + "median \(quantile(landmarkErrors, 0.5)), 95th percentile \(quantile(landmarkErrors, 0.95)) of the box's side")
    }

    /// profile_performer cuts between the stage and the audience (frames 20 and 82). Started six
    /// frames before a cut, so that the cut falls between whole searches, the cadence searches
    /// the cut frame whole: the same faces as the whole search.
    func testANewShotIsSearchedOnItsFirstFrame() throws {
        let (pictures, cuts) = try frames("profile_performer.mp4", count: 90)
        XCTAssertEqual(cuts, [20, 82])
        var checked = 0
        for cut in cuts where cut >= 6 {
            let cadence = try finder(every: 4)
            var found: [DetectedFace] = []
            for picture in pictures[(cut - 6)...cut] { found = try cadence.faces(in: picture) }
            let expected = try finder(every: 1).faces(in: pictures[cut])
            XCTAssertEqual(found, expected, "cut at frame \(cut)")
            checked += expected.count
        }
        XCTAssertGreaterThan(checked, 0, "no faces on the cuts: the test would check nothing")
    }

    /// With `detectEvery` 1 every frame is searched whole and nothing is remembered: a frame's
    /// faces do not depend on the frames before it. `reset` starts the cadence again.
    func testEveryFrameIsStatelessAndResetStartsAgain() throws {
        let pictures = try frames("dinner_table_854x480.mp4", count: 6).pictures
        let whole = try finder(every: 1)
        for picture in pictures { _ = try whole.faces(in: picture) }
        XCTAssertEqual(try whole.faces(in: pictures[0]), try finder(every: 1).faces(in: pictures[0]))
        let cadence = try finder(every: 4)
        for picture in pictures.prefix(3) { _ = try cadence.faces(in: picture) }
        cadence.reset()
        XCTAssertEqual(try cadence.faces(in: pictures[5]), try finder(every: 1).faces(in: pictures[5]), "searched whole after reset")
    }

    /// Following's windows are timed apart from the whole searches (`bench --video`'s per-search
    /// figures stay the whole search's).
    func testFollowingCountsItsWindowsApart() throws {
        let pictures = try frames("dinner_table_854x480.mp4", count: 4).pictures
        let cadence = try finder(every: 4)
        var faces = 0
        for picture in pictures { faces += try cadence.faces(in: picture).count }
        let timing = cadence.detector.timing
        XCTAssertEqual(timing.searches, 1)
        XCTAssertGreaterThan(timing.windows, 0)
        XCTAssertGreaterThan(timing.windowSeconds, 0)
        XCTAssertGreaterThan(faces, 0)
    }
}
