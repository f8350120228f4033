@testable import EmotionPipeline
import Foundation
import XCTest

/// PNG and JPEG containers: whole pictures pass (OpenCV's own, with bytes after their end),
/// every cut is found as truncated, every changed PNG byte is found, and malformed JPEG
/// structures are named. Pictures are written here by OpenCV (no ../shared needed).
final class ImageContainerTests: XCTestCase {
    /// A 24x16 picture with detail (so the encoders' outputs are not trivially short), encoded.
    private func encoded(_ name: String) throws -> [UInt8] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("container-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let pixels = (0..<(24 * 16 * 3)).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ $0 / 7) }
        let picture = try Image(bytes: pixels, width: 24, height: 16, channels: 3)
        let path = directory.appendingPathComponent(name).path
        try picture.write(to: path)
        return try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    }

    private func damage(_ bytes: [UInt8]) -> ImageContainer.Damage? {
        bytes.withUnsafeBytes { raw in
            do {
                try ImageContainer.check(raw)
                return nil
            } catch {
                return error as? ImageContainer.Damage
            }
        }
    }

    func testCRC32MatchesTheStandardCheckValue() {
        XCTAssertEqual(Array("123456789".utf8).withUnsafeBytes { ImageContainer.crc32($0) }, 0xCBF4_3926)
    }

    func testWholePicturesPassWithOrWithoutTrailingBytes() throws {
        for name in ["a.png", "a.jpg"] {
            let bytes = try encoded(name)
            XCTAssertNil(damage(bytes), name)
            XCTAssertNil(damage(bytes + Array("appended after the end".utf8)), "\(name): bytes after the end are not the picture's")
        }
        // Not PNG or JPEG: not this check's business.
        XCTAssertNil(damage(try encoded("a.webp")))
        XCTAssertNil(damage(Array("GIF89a....".utf8)))
        XCTAssertNil(damage([]))
    }

    /// Every prefix long enough to be recognised (PNG's 8-byte signature, JPEG's FF D8 FF) is
    /// truncated, never accepted and never "corrupt".
    func testEveryCutIsTruncated() throws {
        for (name, recognised) in [("a.png", 8), ("a.jpg", 3)] {
            let bytes = try encoded(name)
            for cut in recognised..<bytes.count {
                let found = damage(Array(bytes.prefix(cut)))
                XCTAssertEqual(found?.kind, .truncated, "\(name) cut to \(cut) of \(bytes.count) bytes: \(String(describing: found))")
            }
        }
        XCTAssertEqual(damage(Array(try encoded("a.png").prefix(8)))?.description, "truncated PNG file (nothing after the signature)")
        let png = try encoded("a.png")
        XCTAssertEqual(damage(Array(png.prefix(png.count - 12)))?.description, "truncated PNG file (no IEND chunk)")
        let jpeg = try encoded("a.jpg")
        XCTAssertEqual(damage(Array(jpeg.dropLast(2)))?.description,
                       "truncated JPEG file (cut inside the image data; no end-of-image marker)")
    }

    /// PNG's CRCs cover every byte after the signature: any one byte changed is found.
    func testEveryChangedPNGByteIsFound() throws {
        let bytes = try encoded("a.png")
        for position in 8..<bytes.count {
            var changed = bytes
            changed[position] ^= 0x20
            XCTAssertNotNil(damage(changed), "byte \(position) of \(bytes.count) changed")
        }
        var data = bytes
        let idat = try XCTUnwrap(firstRange(of: Array("IDAT".utf8), in: data))
        data[idat.upperBound + 2] ^= 0x01
        XCTAssertEqual(damage(data)?.description, "corrupt PNG file (CRC error in the IDAT chunk at byte \(idat.lowerBound - 4))")
    }

    func testMalformedPNGStructures() throws {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            let crc = body.withUnsafeBytes { ImageContainer.crc32($0) }
            return bigEndian(UInt32(data.count)) + body + bigEndian(crc)
        }
        let header = chunk("IHDR", [0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0])
        let end = chunk("IEND", [])
        XCTAssertNil(damage(signature + header + chunk("IDAT", [1, 2, 3]) + end), "well formed (the pixels are the decoder's business)")
        XCTAssertEqual(damage(signature + header + end)?.description, "corrupt PNG file (no IDAT chunk)")
        XCTAssertEqual(damage(signature + chunk("tEXt", [65]) + header + chunk("IDAT", [1]) + end)?.description,
                       "corrupt PNG file (the first chunk is tEXt, not a 13-byte IHDR)")
        XCTAssertEqual(damage(signature + header + chunk("ID@T", [1]) + end)?.kind, .corrupt)
        XCTAssertEqual(damage(signature + header + [0xFF, 0xFF, 0xFF, 0xFF] + Array("IDAT".utf8))?.kind, .corrupt,
                       "a length past 2^31 - 1")
    }

    /// A hand-made progressive-style JPEG: two scans with tables between them, stuffed bytes
    /// and restart markers in the data; then the same with each structural fault in turn.
    func testJPEGSegmentWalk() {
        let soi: [UInt8] = [0xFF, 0xD8]
        let app0: [UInt8] = [0xFF, 0xE0, 0x00, 0x04, 0x4A, 0x46]
        let frame: [UInt8] = [0xFF, 0xC2, 0x00, 0x0B, 8, 0, 1, 0, 1, 1, 1, 0x11, 0]
        let tables: [UInt8] = [0xFF, 0xC4, 0x00, 0x03, 0x00]
        let scan: [UInt8] = [0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 63, 0]
        let data: [UInt8] = [0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xFF]
        let eoi: [UInt8] = [0xFF, 0xD9]
        let whole = soi + app0 + frame + tables + scan + data + tables + scan + data + eoi
        XCTAssertNil(damage(whole))
        XCTAssertNil(damage(whole + [0, 0, 0x66]), "bytes after EOI")
        XCTAssertEqual(damage(soi + app0 + [0x00, 0x00] + frame + tables + scan + data + eoi)?.description,
                       "corrupt JPEG file (no marker at byte 8)")
        XCTAssertEqual(damage(soi + app0 + tables + scan + data + eoi)?.description,
                       "corrupt JPEG file (a scan before the frame header)")
        XCTAssertEqual(damage(soi + app0 + frame + eoi)?.description,
                       "corrupt JPEG file (no image data before the end-of-image marker)")
        XCTAssertEqual(damage(soi + app0 + soi + frame)?.kind, .corrupt)
        XCTAssertEqual(damage(soi + [0xFF, 0xE1, 0x00, 0x01])?.kind, .corrupt, "a segment length under 2")
        XCTAssertEqual(damage(soi + app0 + frame + tables + scan + data)?.description,
                       "truncated JPEG file (cut inside the image data; no end-of-image marker)")
        XCTAssertEqual(damage(soi + [0xFF, 0xE1, 0x10, 0x00, 1, 2])?.description,
                       "truncated JPEG file (cut inside the marker segment at byte 2)")
    }

    private func bigEndian(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }

    private func firstRange(of needle: [UInt8], in bytes: [UInt8]) -> Range<Int>? {
        (0...(bytes.count - needle.count)).lazy.map { $0..<($0 + needle.count) }.first { Array(bytes[$0]) == needle }
    }
}
