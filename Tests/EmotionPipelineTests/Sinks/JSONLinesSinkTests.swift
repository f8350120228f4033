@testable import EmotionPipeline
import Foundation
import TestSupport
import XCTest

final class JSONLinesSinkTests: XCTestCase {
    private let labels = EmotionLabel.canonicalOrder.map(\.rawValue)

    func testSinkWritesOneLinePerFrame() throws {
        let output = LineCollector()
        let sink = JSONLinesSink(labels: labels, output: output)
        let frame = Frame(index: 0, time: 0, image: try Fixtures.flatImage(width: 4, height: 4, level: 0))
        for i in 0..<3 {
            XCTAssertTrue(try sink.consume(FrameResult(frameIndex: i, time: Double(i) / 10, faces: []), frame: frame))
        }
        XCTAssertEqual(output.lines, [#"{"frame": 0, "time": 0.0, "faces": []}"#, #"{"frame": 1, "time": 0.1, "faces": []}"#,
                                      #"{"frame": 2, "time": 0.2, "faces": []}"#])
    }

    func testNumberSpelling() {
        XCTAssertEqual(NumberFormat.decimal(1), "1.0")
        XCTAssertEqual(NumberFormat.decimal(0.930000001), "0.93")
        XCTAssertEqual(NumberFormat.decimal(1e-9), "0.0")
        XCTAssertEqual(NumberFormat.decimal(-1e-9), "0.0")
        XCTAssertEqual(NumberFormat.decimal(.nan), "0.0")
        XCTAssertEqual(NumberFormat.decimal(15.4154154), "15.415415")
    }

    /// `fixed` is C's "%*.*f": the digits printf gives (round half to even on the binary
    /// value), padded on the left to the width; huge values are not cut.
    func testFixedDecimalsAreThoseOfPrintf() {
        XCTAssertEqual(NumberFormat.fixed(1.5, 2), "1.50")
        XCTAssertEqual(NumberFormat.fixed(0.125, 2), "0.12")
        XCTAssertEqual(NumberFormat.fixed(0.375, 2), "0.38")
        XCTAssertEqual(NumberFormat.fixed(2.675, 2), "2.67", "2.675 is 2.67499999... in binary")
        XCTAssertEqual(NumberFormat.fixed(-0.0004, 3), "-0.000")
        XCTAssertEqual(NumberFormat.fixed(12.34567, 4, width: 8), " 12.3457")
        XCTAssertEqual(NumberFormat.fixed(99.95, 1, width: 5), "100.0")
        XCTAssertEqual(NumberFormat.fixed(3, 0), "3")
        XCTAssertEqual(NumberFormat.fixed(.infinity, 2), "0.00")
        XCTAssertEqual(NumberFormat.fixed(1e300, 2).count, 304, "past the first buffer's 64 bytes")
        XCTAssertEqual(NumberFormat.fixed(1e300, 2), String(format: "%.2f", 1e300))
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let value = Double.random(in: -1e6...1e6, using: &generator) / Double([1, 7, 1000, 1e9].randomElement(using: &generator)!)
            let decimals = Int.random(in: 0...6, using: &generator), width = Int.random(in: 0...12, using: &generator)
            XCTAssertEqual(NumberFormat.fixed(value, decimals, width: width), String(format: "%*.*f", width, decimals, value))
        }
    }

    func testJSONStringLiteralsEscapeQuotesAndControlCharacters() {
        XCTAssertEqual(NumberFormat.jsonString("a\"b\\c/d"), #""a\"b\\c/d""#)
        XCTAssertEqual(NumberFormat.jsonString("\n\r\t\u{1}\u{1f}é"), #""\n\r\t\u0001\u001fé""#)
    }
}

final class HeadlessTextSinkTests: XCTestCase {
    func testLines() {
        let labels = EmotionLabel.canonicalOrder.map(\.rawValue)
        let happy = FaceResult(box: FaceBox(x: 120, y: 80, width: 96, height: 96), probabilities: [0, 0, 0, 0.93, 0.07, 0, 0], labels: labels)
        let neutral = FaceResult(box: FaceBox(x: 300, y: 90, width: 80, height: 80), probabilities: [0, 0, 0, 0.39, 0.61, 0, 0], labels: labels)
        XCTAssertEqual(HeadlessTextSink.line(for: FrameResult(frameIndex: 12, time: 0.4, faces: [happy, neutral])),
                       "frame 12 t=0.400s: happy 0.93 [120,80,96,96]; neutral 0.61 [300,90,80,80]")
        XCTAssertEqual(HeadlessTextSink.line(for: FrameResult(frameIndex: 13, time: 0.4333, faces: [])),
                       "frame 13 t=0.433s: no faces")
    }
}
