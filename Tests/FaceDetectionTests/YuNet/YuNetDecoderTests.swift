@testable import FaceDetection
import XCTest

/// Decoding YuNet's cells and suppressing overlaps, on hand-made outputs whose faces are worked
/// out by hand from the rules in `YuNetDecoder` (OpenCV FaceDetectorYN's).
final class YuNetDecoderTests: XCTestCase {
    /// Rows for a `width` x `height` input, all scoring 0.
    private func emptyRows(width: Int, height: Int) -> [Float] {
        [Float](repeating: 0, count: YuNetDecoder.rowCount(width: width, height: height) * 16)
    }

    /// The index of the row of cell (r, c) at `stride` in a `width` x `height` output.
    private func row(stride: Int, r: Int, c: Int, width: Int, height: Int) -> Int {
        var index = 0
        for s in YuNetDecoder.strides where s < stride { index += (height / s) * (width / s) }
        return index + r * (width / stride) + c
    }

    func testRowCountCoversTheThreeStrides() {
        XCTAssertEqual(YuNetDecoder.rowCount(width: 32, height: 32), 16 + 4 + 1)
        XCTAssertEqual(YuNetDecoder.rowCount(width: 96, height: 64), 96 + 24 + 6)
    }

    /// One cell of each stride: score sqrt(cls * obj) (clamped to 0...1), centre
    /// ((c + dx) s, (r + dy) s), size (e^w s, e^h s), landmark k ((kx + c) s, (ky + r) s).
    func testACellBecomesItsFace() {
        let (width, height) = (64, 64)
        var rows = emptyRows(width: width, height: height)
        // Stride 16, row 1, column 2: cls 0.81, obj 1.3 (clamped to 1): score 0.9.
        let i = row(stride: 16, r: 1, c: 2, width: width, height: height) * 16
        rows[i] = 0.81
        rows[i + 1] = 1.3
        rows[i + 2] = 0.5          // centre x (2 + 0.5) * 16 = 40
        rows[i + 3] = -0.25        // centre y (1 - 0.25) * 16 = 12
        rows[i + 4] = Float(log(2.0))  // width 2 * 16 = 32
        rows[i + 5] = 0            // height 16
        for k in 0..<5 {
            rows[i + 6 + 2 * k] = Float(k) * 0.1      // x (0.1k + 2) * 16
            rows[i + 7 + 2 * k] = -Float(k) * 0.2     // y (-0.2k + 1) * 16
        }
        // Stride 32 cell (1, 1) scoring sqrt(0.25 * 0.25) = 0.25: under the threshold.
        let j = row(stride: 32, r: 1, c: 1, width: width, height: height) * 16
        rows[j] = 0.25
        rows[j + 1] = 0.25
        // A negative cls (clamped to 0) scores 0 whatever obj is.
        let k = row(stride: 8, r: 0, c: 0, width: width, height: height) * 16
        rows[k] = -0.5
        rows[k + 1] = 1
        let faces = rows.withUnsafeBufferPointer { YuNetDecoder.decode($0, width: width, height: height, threshold: 0.5) }
        XCTAssertEqual(faces.count, 1)
        let face = faces[0]
        XCTAssertEqual(face.score, 0.9, accuracy: 1e-6)
        XCTAssertEqual(face.x, 40 - 16, accuracy: 1e-4)
        XCTAssertEqual(face.y, 12 - 8, accuracy: 1e-4)
        XCTAssertEqual(face.width, 32, accuracy: 1e-4)
        XCTAssertEqual(face.height, 16, accuracy: 1e-4)
        for (k, point) in face.landmarks.enumerated() {
            XCTAssertEqual(point.x, (0.1 * Double(k) + 2) * 16, accuracy: 1e-4)
            XCTAssertEqual(point.y, (-0.2 * Double(k) + 1) * 16, accuracy: 1e-4)
        }
        // At a threshold of 0.2, the stride-32 cell comes too, after the stride-16 one.
        let more = rows.withUnsafeBufferPointer { YuNetDecoder.decode($0, width: width, height: height, threshold: 0.2) }
        XCTAssertEqual(more.map(\.score).map { ($0 * 100).rounded() }, [90, 25])
        XCTAssertEqual(more[1].x, 1 * 32 - 16, accuracy: 1e-9)  // centre (1 + 0) * 32, width e^0 * 32
    }

    /// A score equal to the threshold is kept (upstream keeps score >= threshold).
    func testTheThresholdItselfIsKept() {
        var rows = emptyRows(width: 32, height: 32)
        rows[0] = 0.5
        rows[1] = 0.5
        let faces = rows.withUnsafeBufferPointer { YuNetDecoder.decode($0, width: 32, height: 32, threshold: 0.5) }
        XCTAssertEqual(faces.count, 1)
    }

    private func face(_ x: Double, _ y: Double, _ w: Double, _ h: Double, score: Double) -> YuNetFace {
        YuNetFace(x: x, y: y, width: w, height: h, score: score, landmarks: [])
    }

    func testIntersectionOverUnion() {
        let a = face(0, 0, 10, 10, score: 1)
        XCTAssertEqual(a.intersectionOverUnion(face(5, 0, 10, 10, score: 1)), 50.0 / 150.0, accuracy: 1e-12)
        XCTAssertEqual(a.intersectionOverUnion(face(10, 0, 10, 10, score: 1)), 0)
        XCTAssertEqual(a.intersectionOverUnion(a), 1)
        XCTAssertEqual(face(0, 0, 0, 0, score: 1).intersectionOverUnion(face(0, 0, 0, 0, score: 1)), 0)
    }

    /// Greedy: best first; a face overlapping a kept one by more than 0.3 goes, one overlapping
    /// only a suppressed one stays (unlike MTCNN's reference); 0.3 exactly stays.
    func testSuppressionIsGreedyOverKeptFaces() {
        let best = face(0, 0, 10, 10, score: 0.9)
        let overlapsBest = face(3, 0, 10, 10, score: 0.8)     // IoU 70/130 = 0.54 with best: goes
        let overlapsSecond = face(7, 0, 10, 10, score: 0.7)   // 60/140 = 0.43 with the one that went, 30/170 with best: stays
        let larger = face(0, 20, 10, 13, score: 0.6)          // 100/130 = 0.77 with the next: goes
        let inside = face(0, 20, 10, 10, score: 0.65)
        let kept = YuNetSuppression.suppress([overlapsSecond, larger, overlapsBest, best, inside])
        XCTAssertEqual(kept, [best, overlapsSecond, inside])
        // IoU exactly 0.3 stays: a 3 x 10 box inside a 10 x 10 one (30 / 100).
        let pair = YuNetSuppression.suppress([face(0, 0, 10, 10, score: 0.9), face(0, 0, 3, 10, score: 0.8)], threshold: 0.3)
        XCTAssertEqual(pair.count, 2, "IoU 0.3 is not more than 0.3")
    }

    /// Ties keep the candidates' order (the reference's stable sort).
    func testTiesKeepTheirOrder() {
        let a = face(0, 0, 10, 10, score: 0.8), b = face(1, 0, 10, 10, score: 0.8)
        XCTAssertEqual(YuNetSuppression.suppress([a, b]), [a])
        XCTAssertEqual(YuNetSuppression.suppress([b, a]), [b])
    }
}
