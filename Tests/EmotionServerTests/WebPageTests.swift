@testable import EmotionServer
import Foundation
import XCTest

/// The page is built from Sources/EmotionServer/Page at build time (the InlinePage plugin): the
/// served document must hold each file's text whole and name no file the server does not serve.
final class WebPageTests: XCTestCase {
    private let pageDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/EmotionServer/Page")

    private func source(_ name: String) throws -> String {
        String(decoding: try Data(contentsOf: pageDirectory.appendingPathComponent(name)), as: UTF8.self)
    }

    func testStyleSheetAndScriptAreInlined() throws {
        let html = WebPage.html
        XCTAssert(html.contains("<style>\n" + (try source("page.css")) + "</style>"), "page.css inline")
        XCTAssert(html.contains("<script>\n" + (try source("page.js")) + "</script>"), "page.js inline")
        XCTAssertFalse(html.contains("href=\"page.css\"") || html.contains("src=\"page.js\""), "no reference left")
        XCTAssert(html.hasPrefix("<!doctype html>\n") && html.hasSuffix("</html>\n"))
    }

    /// Everything of index.html but its two reference lines is served as written.
    func testMarkupIsServedAsWritten() throws {
        for line in try source("index.html").split(separator: "\n")
        where !line.contains("page.css") && !line.contains("page.js") {
            XCTAssert(WebPage.html.contains(line + "\n"), "missing: \(line)")
        }
    }
}
