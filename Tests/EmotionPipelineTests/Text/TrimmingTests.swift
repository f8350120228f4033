@testable import EmotionPipeline
import XCTest

final class TrimmingTests: XCTestCase {
    func testTrimming() {
        XCTAssertEqual("  a b \t\n".trimmingWhitespace(), "a b")
        XCTAssertEqual(" \t\n ".trimmingWhitespace(), "")
        XCTAssertEqual("".trimmingWhitespace(), "")
        XCTAssertEqual("x".trimmingWhitespace(), "x")
        XCTAssertEqual("'<f4'".trimming(charactersIn: "'\" "), "<f4")
        XCTAssertEqual("(48, 48, )".trimming(charactersIn: "() "), "48, 48,")
        XCTAssertEqual(Substring(" 7 ").trimmingWhitespace(), "7")
    }
}
