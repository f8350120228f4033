import Foundation
import HDF5
@testable import KerasEngine
import XCTest

/// The engine's JSON reader, against Foundation's JSONSerialization (which the tests may use;
/// the binary may not) on every Keras configuration at hand, and on the corners of RFC 8259.
final class JSONReaderTests: XCTestCase {
    /// Equal as JSON: the same structure, strings, booleans and numbers (an integer literal
    /// is Int in one and an NSNumber in the other; both must hold the same value).
    private func assertSame(_ ours: Any, _ reference: Any, path: String = "$", file: StaticString = #filePath, line: UInt = #line) {
        switch (ours, reference) {
        case let (a as [String: Any], b as [String: Any]):
            XCTAssertEqual(Set(a.keys), Set(b.keys), path, file: file, line: line)
            for (key, value) in a where b[key] != nil { assertSame(value, b[key]!, path: "\(path).\(key)", file: file, line: line) }
        case let (a as [Any], b as [Any]):
            XCTAssertEqual(a.count, b.count, path, file: file, line: line)
            for (i, pair) in zip(a, b).enumerated() { assertSame(pair.0, pair.1, path: "\(path)[\(i)]", file: file, line: line) }
        case let (a as String, b as String):
            XCTAssertEqual(a, b, path, file: file, line: line)
        case (is JSONNull, is NSNull):
            break
        case let (a as Bool, b as NSNumber):
            XCTAssertEqual(String(cString: b.objCType), "c", "\(path): Bool against a number", file: file, line: line)
            XCTAssertEqual(a, b.boolValue, path, file: file, line: line)
        case let (a as Int, b as NSNumber):
            XCTAssertNotEqual(String(cString: b.objCType), "c", "\(path): Int against a Bool", file: file, line: line)
            XCTAssertEqual(Double(a), b.doubleValue, path, file: file, line: line)
        case let (a as Double, b as NSNumber):
            // swift-corelibs-foundation's reader is not correctly rounded: it reads Python's
            // 1/255, "0.00392156862745098", one unit in the last place low, and float32(0.1)
            // three units high. Ours is exact (testNumbersAreCorrectlyRounded); against it, a
            // relative 1e-15 is allowed.
            XCTAssertNotEqual(String(cString: b.objCType), "c", "\(path): Double against a Bool", file: file, line: line)
            XCTAssertLessThanOrEqual(abs(a - b.doubleValue), 1e-15 * abs(a), "\(path): \(a) against \(b.doubleValue)",
                                     file: file, line: line)
        default:
            XCTFail("\(path): \(type(of: ours)) against \(type(of: reference))", file: file, line: line)
        }
    }

    private func modelConfigs() throws -> [(name: String, json: String)] {
        var files = try FileManager.default.contentsOfDirectory(atPath: TestPaths.fixtures.path)
            .filter { $0.hasSuffix(".h5") }.sorted().map { TestPaths.fixtures.appendingPathComponent($0).path }
        let sharedModels = TestPaths.shared.appendingPathComponent("models").path
        if let shared = try? FileManager.default.contentsOfDirectory(atPath: sharedModels) {
            files += shared.filter { $0.hasSuffix(".h5") || $0.hasSuffix(".hdf5") }.sorted().map { sharedModels + "/" + $0 }
        }
        files.append(TestPaths.packageRoot.appendingPathComponent("models/emotion-cnn.h5").path)
        return try files.compactMap { path in
            guard let json = try? HDF5File(path: path).root.stringAttribute("model_config") else { return nil }
            return (URL(fileURLWithPath: path).lastPathComponent, json)
        }
    }

    /// Every model_config in the project's fixtures, the bundled model and ../shared's models
    /// (when present) reads to what JSONSerialization reads.
    func testKerasConfigurationsReadAsJSONSerializationReadsThem() throws {
        let configs = try modelConfigs()
        XCTAssertGreaterThan(configs.count, 20, "the fixtures' configurations were found")
        for (name, json) in configs {
            let reference = try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
            let ours = try JSONReader.parse(json)
            assertSame(ours, reference, path: name)
        }
    }

    func testValuesOfEveryKind() throws {
        let text = #" { "a": [1, -2, 3.0, 1e3, -0.5e-2, 12345678901234567890], "s": "q\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00x", "t": true, "f": false, "n": null, "o": {}, "l": [] } "#
        let value = try XCTUnwrap(try JSONReader.parse(text) as? [String: Any])
        let numbers = try XCTUnwrap(value["a"] as? [Any])
        XCTAssertEqual(numbers[0] as? Int, 1)
        XCTAssertEqual(numbers[1] as? Int, -2)
        XCTAssertEqual(numbers[2] as? Double, 3.0, "a fraction makes a Double")
        XCTAssertEqual(numbers[3] as? Double, 1000)
        XCTAssertEqual(numbers[4] as? Double, -0.005)
        XCTAssertEqual(numbers[5] as? Double, 12345678901234567890, "too large for Int: a Double")
        XCTAssertEqual(value["s"] as? String, "q\"\\/\u{8}\u{c}\n\r\té😀x")
        XCTAssertEqual(value["t"] as? Bool, true)
        XCTAssertEqual(value["f"] as? Bool, false)
        XCTAssertTrue(value["n"] is JSONNull)
        XCTAssertEqual((value["o"] as? [String: Any])?.count, 0)
        XCTAssertEqual((value["l"] as? [Any])?.count, 0)
        XCTAssertEqual(try JSONReader.parse("7") as? Int, 7, "a bare value at the top level")
        XCTAssertEqual(try JSONReader.parse("\"é\"") as? String, "é")
    }

    /// A decimal reads as the nearest Double, as Python wrote it: its repr of 1/255 reads back
    /// as 1/255, its repr of float32(0.1) as that float.
    func testNumbersAreCorrectlyRounded() throws {
        let list = try XCTUnwrap(try JSONReader.parse("[0.00392156862745098, 0.007843137254901960, 0.10000000149011612, 1e-320, 2.2250738585072014e-308]") as? [Double])
        XCTAssertEqual(list[0], 1.0 / 255)
        XCTAssertEqual(list[1], 2.0 / 255)
        XCTAssertEqual(list[2], Double(Float(0.1)))
        XCTAssertEqual(list[3], 1e-320, "subnormal")
        XCTAssertEqual(list[4], Double.leastNormalMagnitude)
    }

    /// Python's json module writes NaN and the infinities; Keras configurations can hold them.
    func testPythonsNonFiniteNumbers() throws {
        let list = try XCTUnwrap(try JSONReader.parse("[NaN, Infinity, -Infinity]") as? [Double])
        XCTAssertTrue(list[0].isNaN)
        XCTAssertEqual(list[1], .infinity)
        XCTAssertEqual(list[2], -.infinity)
    }

    func testMalformedTextIsAnErrorNamingWhere() {
        let bad = [
            "", " ", "[1,]", "[1 2]", "{\"a\" 1}", "{\"a\":1,}", "{1:2}", "[01]", "[1.]", "[.5]", "[1e]", "[-]", "[+1]",
            "\"abc", "\"a\u{1}b\"", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\ud800\\u0041\"", "\"\\udc00\"", "tru", "nul",
            "[1] x", "{} {}", "[", "{", "[nan]", "'a'",
        ]
        for text in bad {
            XCTAssertThrowsError(try JSONReader.parse(text), "\(text.debugDescription) is not JSON") { error in
                XCTAssertTrue(error is JSONReader.SyntaxError, "\(text.debugDescription): \(error)")
            }
        }
        XCTAssertThrowsError(try JSONReader.parse([0x22, 0xC3, 0x28, 0x22])) { error in
            XCTAssertEqual((error as? JSONReader.SyntaxError)?.reason, "string is not UTF-8")
        }
        XCTAssertThrowsError(try JSONReader.parse("[1, x]")) { error in
            XCTAssertEqual("\(error)", "unexpected character at byte 4")
        }
    }

    /// Nesting is bounded: a hostile file of brackets is an error, not a stack overflow.
    func testDeepNestingIsRefusedNotACrash() throws {
        let limit = JSONReader.maxDepth
        XCTAssertNotNil(try JSONReader.parse(String(repeating: "[", count: limit) + String(repeating: "]", count: limit)))
        XCTAssertThrowsError(try JSONReader.parse(String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)))
        XCTAssertThrowsError(try JSONReader.parse(String(repeating: "{\"a\":", count: 100_000)))
    }
}
