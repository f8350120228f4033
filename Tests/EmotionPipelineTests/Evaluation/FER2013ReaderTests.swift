import EmotionPipeline
import Foundation
import XCTest

/// The FER-2013 reader on CSV files these tests write themselves.
final class FER2013ReaderTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func pixels(_ value: Int) -> String {
        Array(repeating: String(value), count: 48 * 48).joined(separator: " ")
    }

    private func write(_ text: String) throws -> String {
        let url = directory.appendingPathComponent("data.csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func testReadsRowsOfTheRequestedUsageWithFER2013Codes() throws {
        let path = try write("""
        emotion,pixels,Usage
        0,\(pixels(1)),Training
        6,\(pixels(2)),PublicTest
        1,\(pixels(3)),PrivateTest\r
        4,\(pixels(4)),PrivateTest
        """)
        let test = Array(try FER2013Reader(path: path, usage: .test))
        XCTAssertEqual(test.map(\.emotion), [.neutral, .disgusted, .sad])
        XCTAssertEqual(test.map(\.line), [3, 4, 5])
        XCTAssertEqual(test[0].pixels.count, 2304)
        XCTAssertEqual(test[1].pixels.first, 3)
        XCTAssertEqual(Array(try FER2013Reader(path: path, usage: .private)).count, 2)
        XCTAssertEqual(Array(try FER2013Reader(path: path, usage: .public)).count, 1)
        XCTAssertEqual(Array(try FER2013Reader(path: path, usage: .training)).map(\.emotion), [.angry])
    }

    func testMalformedRowsNameTheLine() throws {
        let cases: [(String, String)] = [
            ("3,1 2 3,PublicTest", ":2: 3 pixels, expected 2304"),
            ("9,\(pixels(0)),PublicTest", ":2: unknown emotion code '9'"),
            ("3,\(pixels(0)),Validation", ":2: unknown Usage 'Validation'"),
            ("3,\(pixels(300)),PublicTest", ":2: pixel value 300 is out of 0-255"),
            ("3", ":2: expected 3 columns, found 1"),
        ]
        for (row, expected) in cases {
            let path = try write("emotion,pixels,Usage\n\(row)\n")
            let reader = try FER2013Reader(path: path, usage: .test)
            XCTAssertNil(reader.next())
            let message = try XCTUnwrap(reader.error).description
            XCTAssertTrue(message.hasPrefix(path), message)
            XCTAssertTrue(message.contains(expected), "\(message) should contain \(expected)")
        }
    }

    func testRefusesFilesThatAreNotFER2013() throws {
        let notCSV = try write("name,age\nx,1\n")
        XCTAssertThrowsError(try FER2013Reader(path: notCSV, usage: .test)) { error in
            XCTAssertTrue("\(error)".contains("expected a FER-2013 header"), "\(error)")
        }
        XCTAssertThrowsError(try FER2013Reader(path: directory.appendingPathComponent("absent.csv").path, usage: .test)) { error in
            XCTAssertTrue("\(error)".contains("no such file"), "\(error)")
        }
        XCTAssertThrowsError(try FER2013Reader(path: directory.path, usage: .test)) { error in
            XCTAssertTrue("\(error)".contains("is a directory"), "\(error)")
        }
        let gzip = directory.appendingPathComponent("data.csv.gz")
        try Data([0x1f, 0x8b, 0x08, 0x00, 0x0a]).write(to: gzip)
        XCTAssertThrowsError(try FER2013Reader(path: gzip.path, usage: .test)) { error in
            XCTAssertTrue("\(error)".contains("gzip"), "\(error)")
        }
    }

    func testLongLinesAcrossBufferBoundaries() throws {
        // 2,000 rows of ~9 kB cross the reader's 64 kB buffer many times.
        var text = "emotion,pixels,Usage\n"
        for k in 0..<2000 { text += "\(k % 7),\(pixels(k % 256)),PrivateTest\n" }
        let rows = Array(try FER2013Reader(path: try write(text), usage: .test))
        XCTAssertEqual(rows.count, 2000)
        XCTAssertEqual(rows[1999].pixels[2303], UInt8(1999 % 256))
        XCTAssertEqual(rows[1999].line, 2001)
    }
}
