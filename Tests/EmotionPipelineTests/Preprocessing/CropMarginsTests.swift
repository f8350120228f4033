import EmotionPipeline
import XCTest

final class CropMarginsTests: XCTestCase {
    /// On a 200 px box (a webcam face at 640 px) the scaled original equals the original's pixels.
    func testScaledOriginalMatchesTheOriginalOnATypicalWebcamBox() {
        let box = FaceBox(x: 100, y: 50, width: 200, height: 200)
        let expected = FaceBox(x: 120, y: 75, width: 160, height: 165)
        XCTAssertEqual(CropMargins.originalScaled.cropRect(for: box, imageWidth: 640, imageHeight: 480), expected)
        XCTAssertEqual(CropMargins.original.cropRect(for: box, imageWidth: 640, imageHeight: 480), expected)
    }

    /// The default widens the box by 10% a side (FER-2013's framing), clamped at the edges.
    func testDefaultWidensTheBox() {
        XCTAssertEqual(CropMargins.default.cropRect(for: FaceBox(x: 100, y: 50, width: 200, height: 200), imageWidth: 640, imageHeight: 480),
                       FaceBox(x: 80, y: 30, width: 240, height: 240))
        XCTAssertEqual(CropMargins.default.cropRect(for: FaceBox(x: 5, y: 0, width: 100, height: 100), imageWidth: 640, imageHeight: 480),
                       FaceBox(x: 0, y: 0, width: 115, height: 110))
    }

    /// Fractions scale with the box: a 40 px face keeps the same framing, the original's fixed
    /// pixels would leave nothing (and fall back to the whole box).
    func testMarginsScaleWithSmallBoxes() {
        let small = FaceBox(x: 10, y: 10, width: 40, height: 40)
        XCTAssertEqual(CropMargins.originalScaled.cropRect(for: small, imageWidth: 100, imageHeight: 100),
                       FaceBox(x: 14, y: 15, width: 32, height: 33))
        XCTAssertEqual(CropMargins.original.cropRect(for: small, imageWidth: 100, imageHeight: 100), small)
        let tiny = FaceBox(x: 0, y: 0, width: 24, height: 24)
        XCTAssertEqual(CropMargins.originalScaled.cropRect(for: tiny, imageWidth: 100, imageHeight: 100),
                       FaceBox(x: 2, y: 3, width: 20, height: 20))
    }

    func testCustomFractionsAndRounding() {
        let margins = CropMargins(top: 0.1, bottom: 0.2, left: 0.25, right: 0)
        XCTAssertEqual(margins.cropRect(for: FaceBox(x: 0, y: 0, width: 10, height: 15), imageWidth: 50, imageHeight: 50),
                       FaceBox(x: 3, y: 2, width: 7, height: 10))  // 2.5 -> 3, 1.5 -> 2, 3.0 -> 3
    }

    func testCropsAreClampedToTheImage() {
        let box = FaceBox(x: -10, y: -20, width: 100, height: 100)
        XCTAssertEqual(CropMargins.none.cropRect(for: box, imageWidth: 60, imageHeight: 50),
                       FaceBox(x: 0, y: 0, width: 60, height: 50))
        XCTAssertEqual(CropMargins.none.cropRect(for: FaceBox(x: 50, y: 40, width: 30, height: 30), imageWidth: 60, imageHeight: 50),
                       FaceBox(x: 50, y: 40, width: 10, height: 10))
        XCTAssertNil(CropMargins.none.cropRect(for: FaceBox(x: 70, y: 0, width: 10, height: 10), imageWidth: 60, imageHeight: 50))
    }

    func testBoxGeometry() {
        let box = FaceBox(x: 10, y: 5, width: 20, height: 10)
        XCTAssertEqual(box.mirrored(inWidth: 100), FaceBox(x: 70, y: 5, width: 20, height: 10))
        XCTAssertEqual(box.mirrored(inWidth: 100).mirrored(inWidth: 100), box)
        XCTAssertEqual(box.intersectionOverUnion(box), 1)
        XCTAssertEqual(box.intersectionOverUnion(FaceBox(x: 20, y: 5, width: 20, height: 10)), 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(box.intersectionOverUnion(FaceBox(x: 40, y: 5, width: 5, height: 5)), 0)
        XCTAssertEqual(box.description, "[10,5,20,10]")
    }
}
