@testable import FaceDetection
import Foundation
import KerasEngine
import XCTest

/// `models/yunet-n.h5` (training/convert_yunet.py --single-output) run by the engine against
/// upstream's ONNX export run by onnxruntime: Fixtures/yunet/yunet-random-64x96.json holds a
/// seeded random input and onnxruntime's 12 output maps (training/yunet_reference.py fixtures).
final class YuNetNetworkTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let model = root.appendingPathComponent("models/yunet-n.h5").path

    static func fixture(_ name: String) throws -> [String: Any] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/yunet/\(name)")
        return try XCTUnwrap(JSONSerialization.jsonObject(with: try Data(contentsOf: url)) as? [String: Any], name)
    }

    /// The engine's one output (N8 + N16 + N32 rows of [cls, obj, bbox0..3, kps0..9]) equals
    /// onnxruntime's 12 maps laid side by side per cell, stride by stride, within 1e-4 (the
    /// fixture keeps 8 significant digits; summation order differs).
    func testRawOutputsAreOnnxRuntimes() throws {
        let fixture = try Self.fixture("yunet-random-64x96.json")
        let input = try XCTUnwrap(fixture["input"] as? [String: Any])
        let shape = try XCTUnwrap(input["shape"] as? [Int])
        XCTAssertEqual(shape, [64, 96, 3])
        let values = try XCTUnwrap(input["values"] as? [Int]).map(Float.init)
        var maps: [String: (shape: [Int], values: [Double])] = [:]
        for output in try XCTUnwrap(fixture["outputs"] as? [[String: Any]]) {
            maps[try XCTUnwrap(output["name"] as? String)] = (try XCTUnwrap(output["shape"] as? [Int]),
                                                              try XCTUnwrap(output["values"] as? [Double]))
        }
        XCTAssertEqual(maps.count, 12)
        var expected: [Double] = []
        for stride in YuNetDecoder.strides {
            let kinds = ["cls", "obj", "bbox", "kps"].map { maps["\($0)_\(stride)"]! }
            let cells = (shape[0] / stride) * (shape[1] / stride)
            for kind in kinds { XCTAssertEqual(kind.shape, [shape[0] / stride, shape[1] / stride, kind.shape[2]]) }
            for cell in 0..<cells {
                for kind in kinds {
                    let channels = kind.shape[2]
                    expected += kind.values[(cell * channels)..<((cell + 1) * channels)]
                }
            }
        }
        let model = try KerasModel.load(path: Self.model, inputSize: ImageSize(height: shape[0], width: shape[1]))
        XCTAssertEqual(model.outputShape, [YuNetDecoder.rowCount(width: shape[1], height: shape[0]), 16])
        let got = model.makeSession(maxBatch: 1).predict(values, batch: 1)
        XCTAssertEqual(got.count, expected.count)
        let worst = zip(got, expected).map { abs(Double($0) - $1) }.max() ?? .infinity
        XCTAssertLessThan(worst, 1e-4, "largest difference from onnxruntime over \(got.count) values")
        print("YuNet 64x96 against onnxruntime: max |difference| \(worst) over \(got.count) values (tolerance 1e-4)")
    }

    /// The runner pads with zeros up to multiples of 32: a picture gives what the same picture
    /// padded by hand gives, and a smaller picture of the same padded size after a larger one
    /// sees zeros where the larger one's pixels were.
    func testPaddingIsZeros() throws {
        let network = try YuNetNetwork(path: Self.model)
        func picture(width: Int, height: Int, seed: Int) -> [UInt8] {
            (0..<(width * height * 3)).map { UInt8(truncatingIfNeeded: ($0 * 7 + seed * 13 + ($0 / 5) * 3) % 251) }
        }
        let small = picture(width: 50, height: 40, seed: 1)
        var padded = [UInt8](repeating: 0, count: 64 * 64 * 3)
        for y in 0..<40 { for i in 0..<(50 * 3) { padded[(y * 64) * 3 + i] = small[y * 50 * 3 + i] } }
        func run(_ bytes: [UInt8], width: Int, height: Int) throws -> [Float] {
            try bytes.withUnsafeBufferPointer { buffer in
                try network.run(pixels: buffer.baseAddress!, width: width, height: height, channels: 3, rowStride: width * 3) { rows, size in
                    XCTAssertEqual(size, ImageSize(height: 64, width: 64))
                    return Array(rows)
                }
            }
        }
        let reference = try run(padded, width: 64, height: 64)
        _ = try run(picture(width: 63, height: 61, seed: 2), width: 63, height: 61)
        XCTAssertEqual(try run(small, width: 50, height: 40), reference)
    }

    /// The working size's plan (640 x 384): the depthwise convolutions run in place, each with
    /// its padded copy where the steps around it keep nothing, so the arena holds two padded
    /// 160 x 96 x 64 maps (8.1 MB; 11.9 MB when every step had its own output and the scratch
    /// came after all activations).
    func testTheWorkingSizesArenaHoldsTwoMaps() throws {
        let model = try KerasModel.load(path: Self.model, inputSize: ImageSize(height: 384, width: 640))
        let floats = model.arenaFloats(maxBatch: 1)
        XCTAssertLessThanOrEqual(floats, 2 * 162 * 98 * 64 + 16, "\(floats * 4) bytes")
    }

    /// A file that loads but is not YuNet with one output is refused with its name and shapes.
    func testAnotherNetworkIsRefused() throws {
        let pnet = Self.root.appendingPathComponent("models/mtcnn-pnet.h5").path
        XCTAssertThrowsError(try YuNetNetwork(path: pnet)) { error in
            guard case DetectorError.notAYuNet(let path, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, pnet)
            XCTAssertTrue("\(error)".contains("--single-output"), "\(error)")
        }
    }
}
