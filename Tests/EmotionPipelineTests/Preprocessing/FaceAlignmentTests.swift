@testable import EmotionPipeline
import Foundation
import TestSupport
import XCTest

/// Aligned crops (faces with landmarks, MTCNN): the eyes come out level; without landmarks, or
/// with alignment off, the crop is exactly the unaligned one.
final class FaceAlignmentTests: XCTestCase {
    private let preprocessor = FacePreprocessor(inputHeight: 48, inputWidth: 48, inputChannels: 1, inputScale: .unit)

    /// A light picture with two dark discs (eyes) on a line falling `slope` degrees to the
    /// right around (200, 200), 60 px apart.
    private func eyes(slope: Double) throws -> (Image, [FacePoint]) {
        let t = slope * .pi / 180
        let points = [FacePoint(x: 200 - 30 * cos(t), y: 200 - 30 * sin(t)), FacePoint(x: 200 + 30 * cos(t), y: 200 + 30 * sin(t))]
        let image = try Fixtures.greyImage(width: 400, height: 400) { x, y in
            points.contains { hypot(Double(x) - $0.x, Double(y) - $0.y) < 9 } ? 10 : 230
        }
        return (image, points + [FacePoint(x: 200, y: 230), FacePoint(x: 180, y: 260), FacePoint(x: 220, y: 260)])
    }

    /// The row and column of the darkest pixel in each half of a 48x48 crop.
    private func darkest(_ crop: [Float]) -> [(x: Int, y: Int)] {
        [0..<24, 24..<48].map { columns in
            var best = (x: 0, y: 0, v: Float.infinity)
            for y in 0..<48 { for x in columns where crop[y * 48 + x] < best.v { best = (x, y, crop[y * 48 + x]) } }
            return (best.x, best.y)
        }
    }

    func testEyesComeOutLevel() throws {
        let box = FaceBox(x: 120, y: 130, width: 160, height: 160)
        for slope in [-25.0, -8, 0, 12, 30] {
            let (image, landmarks) = try eyes(slope: slope)
            var crop = [Float](repeating: 0, count: 48 * 48)
            try crop.withUnsafeMutableBufferPointer { try preprocessor.preprocess(face: box, landmarks: landmarks, in: image, into: $0) }
            let dots = darkest(crop)
            XCTAssertLessThanOrEqual(abs(dots[0].y - dots[1].y), 1, "slope \(slope): eyes at \(dots)")
            // 60 px apart in a 192 px crop: about 15 px apart at 48.
            XCTAssertEqual(Double(dots[1].x - dots[0].x), 15, accuracy: 2, "slope \(slope): \(dots)")
            if abs(slope) > 5 {
                let plain = try preprocessor.preprocess(face: box, in: image)
                let unturned = darkest(plain)
                XCTAssertGreaterThan(abs(unturned[0].y - unturned[1].y), 1, "slope \(slope): the plain crop is not level")
            }
        }
    }

    func testWithoutLandmarksOrWithAlignmentOffTheCropIsThePlainOne() throws {
        let (image, landmarks) = try eyes(slope: 20)
        let box = FaceBox(x: 120, y: 130, width: 160, height: 160)
        let plain = try preprocessor.preprocess(face: box, in: image)
        var none = [Float](repeating: 0, count: 48 * 48)
        try none.withUnsafeMutableBufferPointer { try preprocessor.preprocess(face: box, landmarks: nil, in: image, into: $0) }
        XCTAssertEqual(none, plain)
        var off = preprocessor
        off.align = false
        var unaligned = [Float](repeating: 0, count: 48 * 48)
        try unaligned.withUnsafeMutableBufferPointer { try off.preprocess(face: box, landmarks: landmarks, in: image, into: $0) }
        XCTAssertEqual(unaligned, plain)
    }

    /// A face at the picture's corner: the turned crop repeats the edge instead of failing.
    func testAFaceAtTheEdgeIsCropped() throws {
        let (image, landmarks) = try eyes(slope: 15)
        let moved = landmarks.map { FacePoint(x: $0.x - 190, y: $0.y - 190) }
        var crop = [Float](repeating: -1, count: 48 * 48)
        try crop.withUnsafeMutableBufferPointer {
            try preprocessor.preprocess(face: FaceBox(x: 0, y: 0, width: 60, height: 60), landmarks: moved, in: image, into: $0)
        }
        XCTAssertTrue(crop.allSatisfy { (0...1).contains($0) })
    }
}
