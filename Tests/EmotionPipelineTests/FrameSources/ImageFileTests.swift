@testable import EmotionPipeline
import Foundation
import XCTest

/// Image files as sources read them: a whole picture decodes as before; a cut or damaged PNG or
/// JPEG is refused with the container's reason (a single source) or skipped with one warning
/// line (an entry of a directory), before the decoder could print anything.
final class ImageFileTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("image-file-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A 40x30 picture written by OpenCV as `name`; its bytes.
    @discardableResult
    private func write(_ name: String) throws -> [UInt8] {
        let pixels = (0..<(40 * 30 * 3)).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let path = directory.appendingPathComponent(name).path
        try Image(bytes: pixels, width: 40, height: 30, channels: 3).write(to: path)
        return try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func testWholePicturesDecode() throws {
        for name in ["a.png", "a.jpg", "a.bmp"] {
            try write(name)
            let image = try ImageFile.read(path: directory.appendingPathComponent(name).path)
            XCTAssertEqual([image.width, image.height], [40, 30], name)
        }
    }

    func testCutPicturesAreRefusedWithTheContainersReason() throws {
        for (name, format) in [("cut.png", "PNG"), ("cut.jpg", "JPEG")] {
            let bytes = try write(name)
            let path = directory.appendingPathComponent(name).path
            try Data(bytes.prefix(bytes.count / 2)).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try openSource(.image(path: path))) { error in
                guard case let .sourceUnreadable(named, reason) = error as? PipelineError else {
                    return XCTFail("\(name): \(error)")
                }
                XCTAssertEqual(named, path)
                XCTAssertTrue(reason.hasPrefix("truncated \(format) file ("), reason)
            }
        }
    }

    func testADirectorySkipsACutEntryWithOneLine() throws {
        try write("1.png")
        let bytes = try write("2.png")
        try Data(bytes.dropLast(12)).write(to: directory.appendingPathComponent("2.png"))
        try write("3.jpg")
        var warnings: [String] = []
        let source = try openSource(.directory(path: directory.path), warn: { warnings.append($0) })
        var names: [String] = []
        while let frame = try source.nextFrame() { names.append(URL(fileURLWithPath: frame.source ?? "").lastPathComponent) }
        XCTAssertEqual(names, ["1.png", "3.jpg"])
        XCTAssertEqual(warnings, ["\(directory.appendingPathComponent("2.png").path): skipped: truncated PNG file (no IEND chunk)"])
    }
}
