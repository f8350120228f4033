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

final class PathTextTests: XCTestCase {
    func testJoin() {
        XCTAssertEqual(PathText.join("/usr/share", "a.xml"), "/usr/share/a.xml")
        XCTAssertEqual(PathText.join("/usr/share/", "a.xml"), "/usr/share/a.xml")
        XCTAssertEqual(PathText.join("rel", "a.png"), "rel/a.png", "relative paths stay relative")
        XCTAssertEqual(PathText.join("", "a.png"), "a.png")
    }

    func testExtension() {
        XCTAssertEqual(PathText.pathExtension("a/clip.MP4"), "MP4")
        XCTAssertEqual(PathText.pathExtension("clip.tar.gz"), "gz")
        XCTAssertEqual(PathText.pathExtension("a/clip"), "")
        XCTAssertEqual(PathText.pathExtension("a.d/clip"), "")
        XCTAssertEqual(PathText.pathExtension("a/.hidden"), "")
        XCTAssertEqual(PathText.pathExtension("out.csv/"), "csv")
        XCTAssertEqual(PathText.pathExtension(""), "")
    }
}
