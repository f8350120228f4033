import Glibc

/// Whether an encoded PNG or JPEG picture is whole, judged from its container alone, before a
/// decoder sees it.
///
/// Why here and not in the decoder: OpenCV hands PNG and JPEG to libpng and libjpeg with their
/// default message handlers, and OpenCV offers no way to replace them, so a cut or damaged
/// picture makes the library print its own line on stderr ("libpng error: Read Error",
/// "Premature end of JPEG file") before emotion-live says anything; a truncated JPEG even decodes,
/// grey where the data stopped, and would be processed as if it were whole. Walking the
/// container first turns those into one typed error naming the problem, and the decoder only
/// gets structurally whole files.
///
/// PNG: the signature, every chunk's length and CRC (so any damaged byte is found), IHDR first,
/// at least one IDAT, IEND. JPEG: SOI, every marker segment's length, a frame header before the
/// first scan, each scan's entropy-coded data up to the next marker, EOI. JPEG's entropy-coded
/// data carries no checksum: bytes changed inside it (not cut) still reach the decoder.
/// Other formats (WebP, BMP, TIFF...) are not checked here: their decoders do not print.
public enum ImageContainer {
    /// A PNG or JPEG container that is cut short or malformed.
    public struct Damage: Error, Equatable, Sendable, CustomStringConvertible {
        public enum Kind: Equatable, Sendable {
            /// The bytes end before the container does (a partial download or copy).
            case truncated
            /// A malformed container, or (PNG) bytes that fail their chunk's CRC.
            case corrupt
        }

        public let format: ImageHeader.Format
        public let kind: Kind
        /// Where, in words: "no IEND chunk", "CRC error in the IDAT chunk at byte 41".
        public let detail: String

        public init(format: ImageHeader.Format, kind: Kind, detail: String) {
            self.format = format
            self.kind = kind
            self.detail = detail
        }

        /// "truncated PNG file (no IEND chunk)".
        public var description: String {
            "\(kind == .truncated ? "truncated" : "corrupt") \(format.rawValue.uppercased()) file (\(detail))"
        }
    }

    /// Throws `Damage` when `bytes` start like a PNG or a JPEG and their container is not whole;
    /// returns for whole ones and for every other kind of bytes.
    public static func check(_ bytes: UnsafeRawBufferPointer) throws {
        switch ImageHeader.format(of: bytes) {
        case .png: try checkPNG(bytes)
        case .jpeg: try checkJPEG(bytes)
        case .webp, nil: return
        }
    }

    // MARK: PNG

    private static let pngSignatureSize = 8

    private static func checkPNG(_ bytes: UnsafeRawBufferPointer) throws {
        func damage(_ kind: Damage.Kind, _ detail: String) -> Damage { Damage(format: .png, kind: kind, detail: detail) }
        var offset = pngSignatureSize
        var sawData = false
        while true {
            guard offset < bytes.count else { throw damage(.truncated, offset == pngSignatureSize ? "nothing after the signature" : "no IEND chunk") }
            guard offset + 8 <= bytes.count else { throw damage(.truncated, "cut inside the chunk header at byte \(offset)") }
            let length = bigEndian32(bytes, offset)
            let typeBytes = (4..<8).map { bytes[offset + $0] }
            guard typeBytes.allSatisfy({ (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else {
                throw damage(.corrupt, "no chunk type at byte \(offset + 4)")
            }
            let type = String(decoding: typeBytes, as: UTF8.self)
            // The PNG specification caps chunk lengths at 2^31 - 1.
            guard length < 0x8000_0000 else { throw damage(.corrupt, "the \(type) chunk at byte \(offset) claims \(length) bytes") }
            guard offset == pngSignatureSize ? type == "IHDR" && length == 13 : type != "IHDR" else {
                throw damage(.corrupt, offset == pngSignatureSize ? "the first chunk is \(type), not a 13-byte IHDR" : "a second IHDR chunk at byte \(offset)")
            }
            let end = offset + 8 + Int(length) + 4
            guard end <= bytes.count else { throw damage(.truncated, "cut inside the \(type) chunk at byte \(offset)") }
            // The CRC covers the type and the data, not the length.
            let stored = bigEndian32(bytes, end - 4)
            guard crc32(UnsafeRawBufferPointer(rebasing: bytes[(offset + 4)..<(end - 4)])) == stored else {
                throw damage(.corrupt, "CRC error in the \(type) chunk at byte \(offset)")
            }
            if type == "IDAT" { sawData = true }
            if type == "IEND" {
                guard sawData else { throw damage(.corrupt, "no IDAT chunk") }
                return  // What follows IEND is not the picture's: decoders ignore it.
            }
            offset = end
        }
    }

    private static func bigEndian32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[offset + $1]) }
    }

    /// CRC-32 as PNG (and zlib) define it: reflected polynomial 0xEDB88320, initial and final
    /// XOR with all ones.
    static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        crcTable.withUnsafeBufferPointer { table in
            for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        }
        return crc ^ 0xFFFF_FFFF
    }

    private static let crcTable: [UInt32] = (0..<256).map { n in
        (0..<8).reduce(UInt32(n)) { c, _ in c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    }

    // MARK: JPEG

    private static func checkJPEG(_ bytes: UnsafeRawBufferPointer) throws {
        func damage(_ kind: Damage.Kind, _ detail: String) -> Damage { Damage(format: .jpeg, kind: kind, detail: detail) }
        let count = bytes.count
        var offset = 2  // past SOI (FF D8), which `ImageHeader.format` has seen
        var sawFrame = false, sawScan = false
        while true {
            guard offset < count else { throw damage(.truncated, "no end-of-image marker") }
            // Every segment starts with FF; anything else here is what libjpeg calls extraneous
            // bytes (and warns about on stderr).
            guard bytes[offset] == 0xFF else { throw damage(.corrupt, "no marker at byte \(offset)") }
            let start = offset
            while offset < count, bytes[offset] == 0xFF { offset += 1 }  // fill bytes
            guard offset < count else { throw damage(.truncated, "no end-of-image marker") }
            let marker = bytes[offset]
            offset += 1
            switch marker {
            case 0xD9:  // EOI
                guard sawScan else { throw damage(.corrupt, "no image data before the end-of-image marker") }
                return  // Trailing bytes (a phone's appended video, padding) are not the picture's.
            case 0xD8, 0x00:
                throw damage(.corrupt, "a misplaced marker FF\(hex(marker)) at byte \(start)")
            case 0x01, 0xD0...0xD7:  // TEM, RSTn: no length
                continue
            default:
                guard offset + 2 <= count else { throw damage(.truncated, "cut inside the marker segment at byte \(start)") }
                let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
                guard length >= 2 else { throw damage(.corrupt, "a marker segment of length \(length) at byte \(start)") }
                guard offset + length <= count else { throw damage(.truncated, "cut inside the marker segment at byte \(start)") }
                offset += length
                // SOF0-SOF15 but DHT (C4), JPG (C8) and DAC (CC): a frame header.
                if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) { sawFrame = true }
                if marker == 0xDA {  // SOS: the scan's entropy-coded data follows
                    guard sawFrame else { throw damage(.corrupt, "a scan before the frame header") }
                    sawScan = true
                    guard let next = nextMarker(in: bytes, from: offset) else {
                        throw damage(.truncated, "cut inside the image data; no end-of-image marker")
                    }
                    offset = next
                }
            }
        }
    }

    /// The offset of the first marker at or after `offset` in entropy-coded data: an FF that is
    /// not stuffing (FF 00), a restart marker (FF D0-D7) or fill (FF FF). nil at the end of the
    /// bytes. Searches with memchr: the data is most of the file.
    private static func nextMarker(in bytes: UnsafeRawBufferPointer, from offset: Int) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        var position = offset
        while position < bytes.count {
            guard let found = memchr(base + position, 0xFF, bytes.count - position) else { return nil }
            position = base.distance(to: UnsafeRawPointer(found))
            guard position + 1 < bytes.count else { return nil }
            let following = bytes[position + 1]
            if following == 0x00 || (0xD0...0xD7).contains(following) { position += 2; continue }
            if following == 0xFF { position += 1; continue }
            return position
        }
        return nil
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}
