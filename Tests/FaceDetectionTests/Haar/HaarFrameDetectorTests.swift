@testable import EmotionPipeline
@testable import FaceDetection
import Foundation
import TestSupport
import XCTest

/// The frame-to-frame detector: exact mode is full-frame Haar, fast mode finds (nearly) the same
/// faces, and boxes found in a region or on a shrunk frame land where the face is.
final class HaarFrameDetectorTests: XCTestCase {
    private func detector(_ options: DetectorOptions = DetectorOptions()) throws -> HaarDetector {
        guard Fixtures.cascadeAvailable else { throw XCTSkip("opencv-data's Haar cascades are not installed") }
        return try HaarDetector(options: options)
    }

    /// A grey frame-sized canvas (level 90) with `picture` pasted at (dx, dy).
    private func pasted(_ picture: Image, dx: Int, dy: Int, width: Int, height: Int) throws -> Image {
        let pixels = picture.bytes
        return try Fixtures.greyImage(width: width, height: height) { x, y in
            let px = x - dx, py = y - dy
            guard px >= 0, py >= 0, px < picture.width, py < picture.height else { return 90 }
            return pixels[py * picture.width + px]
        }
    }

    func testDefaultsAreTheFastModeAndDetectEveryOneIsExact() {
        let options = DetectorOptions()
        XCTAssertEqual(options.scaleFactor, 1.3)
        XCTAssertEqual(options.minNeighbors, 5)
        XCTAssertGreaterThan(options.detectEvery, 1)
        XCTAssertFalse(options.isExact)
        XCTAssertTrue(options.exact.isExact)
        XCTAssertTrue(DetectorOptions(detectEvery: 1).isExact)
        XCTAssertFalse(DetectorOptions(detectEvery: 1, detectScale: 2).isExact)
    }

    /// Regions: widened by the margin, clamped, overlapping ones merged.
    func testRegionsAroundFacesAreWidenedClampedAndMerged() {
        let regions = HaarFrameDetector.regions(
            around: [FaceBox(x: 100, y: 100, width: 40, height: 40), FaceBox(x: 150, y: 110, width: 40, height: 40),
                     FaceBox(x: 0, y: 0, width: 20, height: 20), FaceBox(x: 400, y: 300, width: 50, height: 50)],
            margin: 0.5, width: 440, height: 330)
        XCTAssertEqual(Set(regions), [FaceBox(x: 80, y: 80, width: 130, height: 90), FaceBox(x: 0, y: 0, width: 30, height: 30),
                                      FaceBox(x: 375, y: 275, width: 65, height: 55)])
    }

    /// A face found inside a region comes back in the frame's coordinates, the same box as in the
    /// picture it was pasted from; on a frame twice the size, searched shrunk by 2, the box is
    /// twice the original one.
    func testRegionAndShrunkSearchesMapBoxesBackToTheFrame() throws {
        let detector = try self.detector()
        let picture = try Image.read(path: try Fixtures.shared("media/images/one_face_frontal.jpg")).grey()
        let original = try detector.detect(in: picture)
        XCTAssertFalse(original.isEmpty)

        let (dx, dy) = (137, 61)
        let canvas = try pasted(picture, dx: dx, dy: dy, width: picture.width + 300, height: picture.height + 200)
        let region = FaceBox(x: dx, y: dy, width: picture.width, height: picture.height)
        XCTAssertEqual(try detector.detect(in: canvas, region: region, shrink: 1),
                       original.map { FaceBox(x: $0.x + dx, y: $0.y + dy, width: $0.width, height: $0.height) })
        XCTAssertEqual(try detector.detect(in: canvas, region: FaceBox(x: 0, y: 0, width: 20, height: 20), shrink: 1), [])

        let doubled = try picture.resized(width: picture.width * 2, height: picture.height * 2, area: false)
        let shrunk = try detector.detect(in: doubled, region: nil, shrink: 2)
        for face in original {
            let wanted = FaceBox(x: face.x * 2, y: face.y * 2, width: face.width * 2, height: face.height * 2)
            XCTAssertTrue(shrunk.contains { $0.intersectionOverUnion(wanted) >= 0.7 }, "\(wanted) not in \(shrunk)")
        }
    }

    /// Frames of the shared clips: --detect-every 1 gives exactly full-frame Haar's box lists.
    func testExactModeIsFullFrameHaar() throws {
        let clip = try Fixtures.shared("media/videos/dinner_table_854x480.mp4")
        let haar = try detector(DetectorOptions().exact)
        let frames = HaarFrameDetector(detector: try detector(DetectorOptions(detectEvery: 1)))
        let capture = try VideoCapture(filePath: clip)
        var compared = 0, faces = 0
        while compared < 12, let item = try capture.read() {
            let grey = try item.image.grey()
            let expected = try haar.detectMultiScale(in: grey)
            XCTAssertEqual(try frames.detect(in: grey), expected, "frame \(compared)")
            compared += 1
            faces += expected.count
        }
        XCTAssertEqual(compared, 12)
        XCTAssertGreaterThan(faces, 0)
    }
}
