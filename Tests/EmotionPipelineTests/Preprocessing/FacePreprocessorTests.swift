@testable import EmotionPipeline
import TestSupport
import XCTest

/// Preprocessing on images the tests make themselves; tolerances are float rounding (1e-6).
final class FacePreprocessorTests: XCTestCase {
    private func preprocessor(_ size: Int = 48, channels: Int = 1, scale: InputScale = .unit,
                              margins: CropMargins = .none) -> FacePreprocessor {
        FacePreprocessor(inputHeight: size, inputWidth: size, inputChannels: channels, inputScale: scale, margins: margins)
    }

    func testScalingsOfAFlatFace() throws {
        for (scale, level, expected) in [(InputScale.unit, UInt8(51), Float(0.2)), (.signed, 0, -1), (.signed, 255, 1),
                                         (.raw, 17, 17)] {
            let image = try Fixtures.flatImage(width: 100, height: 80, level: level)
            let values = try preprocessor(scale: scale).preprocess(face: FaceBox(x: 10, y: 10, width: 60, height: 60), in: image)
            XCTAssertEqual(values.count, 48 * 48)
            for v in values { XCTAssertEqual(v, expected, accuracy: 1e-6, "\(scale) of \(level)") }
        }
    }

    /// Grey is copied into every channel, HWC.
    func testGreyIsCopiedIntoEachChannel() throws {
        let image = try Fixtures.greyImage(width: 48, height: 48) { x, y in UInt8((x * 5 + y) % 256) }
        let values = try preprocessor(channels: 3, scale: .raw).preprocess(face: FaceBox(x: 0, y: 0, width: 48, height: 48), in: image)
        XCTAssertEqual(values.count, 48 * 48 * 3)
        for y in 0..<48 {
            for x in 0..<48 {
                let i = (y * 48 + x) * 3
                XCTAssertEqual(values[i], Float((x * 5 + y) % 256))
                XCTAssertEqual(values[i + 1], values[i])
                XCTAssertEqual(values[i + 2], values[i])
            }
        }
    }

    /// INTER_AREA halving averages each 2x2 block exactly.
    func testAreaResizeAveragesBlocks() throws {
        let image = try Fixtures.greyImage(width: 96, height: 96) { x, _ in UInt8(2 * x) }
        let values = try preprocessor(scale: .raw).preprocess(face: FaceBox(x: 0, y: 0, width: 96, height: 96), in: image)
        for y in 0..<48 { for x in 0..<48 { XCTAssertEqual(values[y * 48 + x], Float(4 * x + 1), accuracy: 1e-4) } }
    }

    /// The crop takes the pixels inside the margins: a bright square framed by a dark border
    /// of exactly the margins' size comes out uniformly bright.
    func testMarginsCutTheBorderAway() throws {
        // Box 100x100 at (20, 20); margins 10% each side: the inner 80x80 is bright.
        let image = try Fixtures.greyImage(width: 140, height: 140) { x, y in
            (30..<110).contains(x) && (30..<110).contains(y) ? 255 : 0
        }
        let margins = CropMargins(top: 0.1, bottom: 0.1, left: 0.1, right: 0.1)
        let values = try preprocessor(margins: margins).preprocess(face: FaceBox(x: 20, y: 20, width: 100, height: 100), in: image)
        XCTAssertEqual(values.min(), 1)
        let whole = try preprocessor(margins: .none).preprocess(face: FaceBox(x: 20, y: 20, width: 100, height: 100), in: image)
        XCTAssertEqual(whole.min(), 0)
    }

    /// A BGR frame gives the same floats as its grey version.
    func testColourFramesAreConvertedToGrey() throws {
        let grey = try Fixtures.greyImage(width: 64, height: 64) { x, y in UInt8((x * 3 + y * 2) % 256) }
        let colour = try grey.bgr()
        XCTAssertEqual(colour.channels, 3)
        let box = FaceBox(x: 4, y: 4, width: 50, height: 50)
        XCTAssertEqual(try preprocessor().preprocess(face: box, in: colour), try preprocessor().preprocess(face: box, in: grey))
    }

    /// FER-2013 rows take the same resize-and-scale path as live faces: identical floats.
    func testGreyBytesMatchTheImagePath() throws {
        for (side, outputSide) in [(48, 48), (48, 64), (96, 48)] {
            let bytes = (0..<(side * side)).map { UInt8(($0 * 7 + $0 / side) % 256) }
            let image = try Image(bytes: bytes, width: side, height: side, channels: 1)
            let p = preprocessor(outputSide, channels: 3, scale: .signed)
            XCTAssertEqual(try p.preprocess(greyPixels: bytes, width: side, height: side),
                           try p.preprocess(face: FaceBox(x: 0, y: 0, width: side, height: side), in: image), "\(side) -> \(outputSide)")
        }
    }

    /// A synthetic picture written as PNG and read back preprocesses like the original bytes.
    func testPNGRoundTrip() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("face.png").path
        let image = try Fixtures.greyImage(width: 120, height: 90) { x, y in UInt8((x + 2 * y) % 256) }
        try image.write(to: path)
        let read = try Image.read(path: path)
        XCTAssertEqual(read.channels, 3)
        XCTAssertEqual(try read.grey().bytes, image.bytes)
        let box = FaceBox(x: 10, y: 5, width: 80, height: 80)
        let p = preprocessor(scale: .unit, margins: .default)
        XCTAssertEqual(try p.preprocess(face: box, in: read), try p.preprocess(face: box, in: image))
    }

    func testBadInputsThrowInsteadOfCrashing() throws {
        let image = try Fixtures.flatImage(width: 10, height: 10, level: 0)
        // The checks made before OpenCV is called are the preprocessor's own errors, in one line.
        let outside = FaceBox(x: 20, y: 20, width: 5, height: 5)
        XCTAssertThrowsError(try preprocessor().preprocess(face: outside, in: image)) { error in
            XCTAssertEqual(error as? PreprocessingError, .boxOutsideFrame(box: outside, width: 10, height: 10))
            XCTAssertEqual("\(error)", "face box \(outside) lies outside the 10x10 frame")
        }
        var small = [Float](repeating: 0, count: 10)
        XCTAssertThrowsError(try small.withUnsafeMutableBufferPointer {
            try preprocessor().preprocess(face: FaceBox(x: 0, y: 0, width: 5, height: 5), in: image, into: $0)
        })
        XCTAssertThrowsError(try preprocessor().preprocess(greyPixels: [1, 2, 3], width: 48, height: 48)) { error in
            XCTAssertEqual(error as? PreprocessingError, .tooFewPixels(count: 3, width: 48, height: 48))
            XCTAssertEqual("\(error)", "3 pixels given for a 48x48 face")
        }
    }
}
