import FaceDetection
import XCTest

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
