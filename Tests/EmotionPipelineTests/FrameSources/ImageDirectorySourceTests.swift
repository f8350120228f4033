@testable import EmotionPipeline
import Foundation
import TestSupport
import XCTest

/// A directory of images: name order, one frame per readable file, the rest reported.
final class ImageDirectorySourceTests: XCTestCase {
    func testFilesInNameOrderUnreadableOnesReportedAndSkipped() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, level) in [("b.png", 20), ("a.png", 10), ("c.jpg", 30)] {
            try Fixtures.flatImage(width: 32 + level, height: 24, level: UInt8(level)).write(to: directory.appendingPathComponent(name).path)
        }
        try Data("not an image".utf8).write(to: directory.appendingPathComponent("b2.jpg"))
        try Data().write(to: directory.appendingPathComponent(".hidden.png"))
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("sub"), withIntermediateDirectories: false)
        XCTAssertEqual(SourceSpec(parsing: directory.path), .directory(path: directory.path))

        var warnings: [String] = []
        let source = try ImageDirectorySource(path: directory.path) { warnings.append($0) }
        XCTAssertEqual(source.info.kind, .image)
        XCTAssertEqual(source.info.width, 42, "the first image's size")
        var names: [String] = []
        var indices: [Int] = []
        while let frame = try source.nextFrame() {
            names.append((frame.source! as NSString).lastPathComponent)
            indices.append(frame.index)
        }
        XCTAssertEqual(names, ["a.png", "b.png", "c.jpg"])
        XCTAssertEqual(indices, [0, 1, 2])
        XCTAssertEqual(warnings.count, 1, "\(warnings)")
        XCTAssertTrue(warnings.first?.contains("b2.jpg: skipped") == true, "\(warnings)")
    }

    func testADirectoryWithoutImagesIsAnError() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        XCTAssertThrowsError(try ImageDirectorySource(path: directory.path)) { error in
            XCTAssertEqual((error as? PipelineError)?.description, "\(directory.path): cannot read source: no images in the directory")
        }
    }
}
