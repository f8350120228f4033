@testable import EmotionPipeline
import Foundation
import XCTest

/// Sizes read from headers agree with what the decoder makes of the same files, for pictures
/// OpenCV writes; cut or foreign bytes give nil, never a crash.
final class ImageHeaderTests: XCTestCase {
    func testSizesMatchTheDecoder() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("header-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let picture = try Image(bytes: [UInt8](repeating: 90, count: 123 * 77 * 3), width: 123, height: 77, channels: 3)
        for (name, format) in [("a.png", ImageHeader.Format.png), ("a.jpg", .jpeg), ("a.webp", .webp)] {
            let path = directory.appendingPathComponent(name).path
            try picture.write(to: path)
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            let header = bytes.withUnsafeBytes { ImageHeader.read($0) }
            XCTAssertEqual(header, ImageHeader(format: format, width: 123, height: 77), name)
            let decoded = try bytes.withUnsafeBytes { try Image.decode($0) }
            XCTAssertEqual([decoded.width, decoded.height], [123, 77], name)
            for cut in [0, 3, 12, 20] {
                let prefix = Array(bytes.prefix(cut))
                XCTAssertNil(prefix.withUnsafeBytes { ImageHeader.read($0) }, "\(name) cut to \(cut) bytes")
            }
        }
        XCTAssertNil(Array("GIF89a....".utf8).withUnsafeBytes { ImageHeader.format(of: $0) })
        XCTAssertThrowsError(try [UInt8](repeating: 7, count: 100).withUnsafeBytes { try Image.decode($0) })
    }

    /// A hand-made PNG header claiming 9000 x 9000 is read without decoding anything.
    func testAHugeDeclaredSizeIsReadFromTheHeaderAlone() {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
            + [0, 0, 0x23, 0x28, 0, 0, 0x23, 0x28, 8, 2, 0, 0, 0]
        XCTAssertEqual(png.withUnsafeBytes { ImageHeader.read($0) }, ImageHeader(format: .png, width: 9000, height: 9000))
    }
}
