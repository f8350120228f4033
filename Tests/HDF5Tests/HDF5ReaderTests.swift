// Direct tests of the HDF5 reader against files written at test time by TestSupport's
// HDF5Writer (libhdf5's C API): the string encodings Keras versions use, numeric conversion,
// absent objects, and the refusal of datasets that declare absurd sizes.
import Foundation
import HDF5
import TestSupport
import XCTest

final class HDF5ReaderTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws { directory = try TemporaryDirectory(prefix: "hdf5-reader") }
    override func tearDown() { directory = nil }

    /// Writes a file with `body`, closes it, and opens it with the reader.
    private func file(_ name: String, _ body: (HDF5Writer) throws -> Void) throws -> HDF5File {
        let path = directory.file(name)
        let writer = try HDF5Writer(path: path)
        try body(writer)
        writer.close()
        return try HDF5File(path: path)
    }

    // MARK: - Strings

    func testScalarStringAttributeReadsTheSameFixedOrVariableLength() throws {
        let json = #"{"class_name": "Sequential", "config": {"layers": []}}"#
        let file = try file("scalar.h5") { writer in
            try writer.setAttribute("fixed", string: json, storage: .fixedLength)
            try writer.setAttribute("variable", string: json, storage: .variableLength)
            try writer.setAttribute("utf8", string: "visage heureux \u{1F600}", storage: .variableLength)
        }
        let root = try file.root
        XCTAssertEqual(try root.stringAttribute("fixed"), json)
        XCTAssertEqual(try root.stringAttribute("variable"), json)
        XCTAssertEqual(try root.stringAttribute("utf8"), "visage heureux \u{1F600}")
        XCTAssertEqual(Set(try root.attributeNames()), ["fixed", "variable", "utf8"])
    }

    func testStringArrayAttributesStripPaddingInBothEncodings() throws {
        let names = ["input_1", "conv2d", "batch_normalization_9", "dense_17"]
        let file = try file("arrays.h5") { writer in
            try writer.createGroup("/model_weights")
            try writer.setAttribute("layer_names", on: "/model_weights", strings: names, storage: .fixedLength)
            try writer.setAttribute("vlen_names", on: "/model_weights", strings: names, storage: .variableLength)
            try writer.setAttribute("empty", on: "/model_weights", strings: [], storage: .fixedLength)
        }
        let group = try file.root.group("model_weights")
        XCTAssertEqual(try group.stringArrayAttribute("layer_names"), names)
        XCTAssertEqual(try group.stringArrayAttribute("vlen_names"), names)
        XCTAssertEqual(try group.stringArrayAttribute("empty"), [])
        // More than one string where one was asked for is a type error, not a silent pick.
        XCTAssertThrowsError(try group.stringAttribute("layer_names")) { error in
            guard case HDF5Error.wrongType = error else { return XCTFail("\(error)") }
        }
    }

    func testMissingAttributeIsNilAndNumberIsNotText() throws {
        let file = try file("missing.h5") { writer in
            try writer.setAttribute("count", int64: 7)
        }
        let root = try file.root
        XCTAssertNil(try root.stringAttribute("model_config"))
        XCTAssertNil(try root.stringArrayAttribute("layer_names"))
        XCTAssertFalse(root.hasAttribute("model_config"))
        XCTAssertThrowsError(try root.stringAttribute("count")) { error in
            guard case HDF5Error.wrongType = error else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("count"), "\(error)")
        }
    }

    // MARK: - Datasets

    func testFloatDatasetRoundTripsWithShape() throws {
        let values = (0..<24).map { Float($0) * 0.25 - 3 }
        let file = try file("floats.h5") { writer in
            try writer.writeDataset("/model_weights/dense/dense/kernel:0", shape: [2, 3, 4], floats: values)
        }
        let dataset = try file.root.group("model_weights/dense/dense").dataset("kernel:0")
        XCTAssertEqual(dataset.shape, [2, 3, 4])
        XCTAssertEqual(dataset.elementCount, 24)
        XCTAssertEqual(try dataset.readFloats(), values)
        XCTAssertEqual(try file.root.group("model_weights").childNames(), ["dense"])
        XCTAssertTrue(try file.root.contains("model_weights/dense/dense/kernel:0"))
    }

    func testIntegerDatasetIsConvertedToFloat() throws {
        let file = try file("ints.h5") { writer in
            try writer.writeDataset("/counts", shape: [5], int64s: [-2, 0, 1, 255, 1 << 20])
        }
        XCTAssertEqual(try file.root.dataset("counts").readFloats(), [-2, 0, 1, 255, 1_048_576])
    }

    func testMissingObjectsAndWrongKindsAreNamed() throws {
        let file = try file("objects.h5") { writer in
            try writer.createGroup("/model_weights/conv2d")
            try writer.writeDataset("/values", shape: [1], floats: [1])
        }
        let root = try file.root
        XCTAssertThrowsError(try root.dataset("model_weights/conv2d/conv2d/kernel:0")) { error in
            guard case HDF5Error.missing = error else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("kernel:0"), "\(error)")
        }
        XCTAssertThrowsError(try root.dataset("model_weights/conv2d")) { error in
            guard case HDF5Error.wrongType = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try root.group("values")) { error in
            guard case HDF5Error.wrongType = error else { return XCTFail("\(error)") }
        }
    }

    /// A chunked dataset with no storage can declare 10^12 elements in a file of a few KiB; the
    /// reader must refuse before allocating, and say how many elements were declared.
    func testHugeDeclaredDatasetIsRefusedBeforeAllocation() throws {
        let file = try file("huge.h5") { writer in
            try writer.createUnallocatedDataset("/huge", shape: [100_000, 100_000, 100], chunk: [1, 1, 100])
        }
        let size = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int ?? .max
        XCTAssertLessThan(size, 1 << 20, "the file itself stays small")
        let dataset = try file.root.dataset("huge")
        XCTAssertEqual(dataset.shape, [100_000, 100_000, 100])
        XCTAssertThrowsError(try dataset.readFloats()) { error in
            guard case let HDF5Error.tooLarge(_, object, elements, limit) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(object.contains("huge"), object)
            XCTAssertEqual(elements, 1_000_000_000_000)
            XCTAssertEqual(limit, HDF5File.maxElements)
        }
    }

    // MARK: - Files that are not HDF5

    func testNonHDF5InputsAreRefusedWithTheirPath() throws {
        let text = directory.file("model.h5")
        try "this is not HDF5\n".write(toFile: text, atomically: true, encoding: .utf8)
        let empty = directory.file("empty.h5")
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        let cases: [(String, String)] = [
            (text, "not an HDF5 file"),
            (empty, "not an HDF5 file"),
            (directory.path, "is a directory"),
            (directory.file("absent.h5"), "no such file"),
        ]
        for (path, expected) in cases {
            XCTAssertThrowsError(try HDF5File(path: path), path) { error in
                let message = "\(error)"
                XCTAssertTrue(message.hasPrefix(path), message)
                XCTAssertTrue(message.contains(expected), message)
                XCTAssertFalse(message.contains("\n"), message)
            }
        }
    }
}
