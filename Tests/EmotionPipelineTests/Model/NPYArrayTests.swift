import EmotionPipeline
import Foundation
import XCTest

/// The .npy reader on byte-exact files written the way numpy.save writes them.
final class NPYArrayTests: XCTestCase {
    /// numpy's layout: magic, version, little-endian header length, a padded dict, then data.
    static func npy(descr: String, shape: [Int], payload: Data, version: UInt8 = 1, fortran: Bool = false) -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shapeText), }"
        let prefix = version == 1 ? 10 : 12
        while (prefix + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [version, 0])
        let length = header.utf8.count
        if version == 1 {
            data.append(contentsOf: [UInt8(length & 0xff), UInt8(length >> 8)])
        } else {
            data.append(contentsOf: [UInt8(length & 0xff), UInt8((length >> 8) & 0xff), 0, 0])
        }
        data.append(contentsOf: Array(header.utf8))
        data.append(payload)
        return data
    }

    static func float32Payload(_ values: [Float]) -> Data {
        values.withUnsafeBufferPointer { Data(buffer: $0) }
    }

    func testReadsFloat32AndFloat64() throws {
        let values: [Float] = [0, 0.5, -1.25, 3e-8, 255, 1, 2, 3]
        let array = try NPYArray(data: Self.npy(descr: "<f4", shape: [2, 2, 2, 1], payload: Self.float32Payload(values)), file: "a.npy")
        XCTAssertEqual(array.shape, [2, 2, 2, 1])
        XCTAssertEqual(array.values, values)

        let doubles = [0.25, -2.0, 1e-3]
        let payload = doubles.withUnsafeBufferPointer { Data(buffer: $0) }
        let wide = try NPYArray(data: Self.npy(descr: "<f8", shape: [3], payload: payload, version: 2), file: "b.npy")
        XCTAssertEqual(wide.shape, [3])
        XCTAssertEqual(wide.values, doubles.map(Float.init))
    }

    func testRefusesWhatItCannotReadWithTheReason() {
        let cases: [(Data, String)] = [
            (Data("hello".utf8), "not a .npy file"),
            (Self.npy(descr: "<i8", shape: [1], payload: Data(count: 8)), "dtype <i8 is not supported"),
            (Self.npy(descr: "<f4", shape: [4], payload: Data(count: 8)), "truncated"),
            (Self.npy(descr: "<f4", shape: [2, 2], payload: Data(count: 16), fortran: true), "Fortran"),
            (Self.npy(descr: "<f4", shape: [1 << 20, 1 << 20, 1 << 20], payload: Data()), "too large"),
        ]
        for (data, expected) in cases {
            XCTAssertThrowsError(try NPYArray(data: data, file: "x.npy")) { error in
                XCTAssertTrue("\(error)".hasPrefix("x.npy: ") && "\(error)".contains(expected), "\(error)")
            }
        }
    }
}
