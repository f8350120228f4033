/// The format and size an encoded picture declares, read from its first bytes without decoding
/// it: a server must refuse a 100,000 x 100,000 picture before the decoder allocates 30 GB for
/// it (OpenCV's own limit is 2^30 pixels). JPEG, PNG and WebP, the formats browsers send.
public struct ImageHeader: Equatable, Sendable {
    public enum Format: String, Sendable { case jpeg, png, webp }

    public let format: Format
    public let width: Int
    public let height: Int

    public init(format: Format, width: Int, height: Int) {
        self.format = format
        self.width = width
        self.height = height
    }

    /// The format the bytes start like, or nil when they are not JPEG, PNG or WebP.
    public static func format(of bytes: UnsafeRawBufferPointer) -> Format? {
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && prefix.indices.allSatisfy { bytes[offset + $0] == prefix[$0] }
        }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return .webp }
        return nil
    }

    /// The header of `bytes`; nil when they are not one of the formats or the header is cut
    /// short or malformed (the decoder would fail on them too).
    public static func read(_ bytes: UnsafeRawBufferPointer) -> ImageHeader? {
        guard let format = format(of: bytes) else { return nil }
        func byte(_ offset: Int) -> Int? { offset < bytes.count ? Int(bytes[offset]) : nil }
        func bigEndian(_ offset: Int, _ count: Int) -> Int? {
            var value = 0
            for k in 0..<count { guard let b = byte(offset + k) else { return nil }; value = value << 8 | b }
            return value
        }
        func littleEndian(_ offset: Int, _ count: Int) -> Int? {
            var value = 0
            for k in (0..<count).reversed() { guard let b = byte(offset + k) else { return nil }; value = value << 8 | b }
            return value
        }
        let size: (Int, Int)?
        switch format {
        case .png:
            // Signature, then the IHDR chunk: length, "IHDR", width, height (big-endian).
            size = bigEndian(16, 4).flatMap { w in bigEndian(20, 4).map { (w, $0) } }
        case .webp:
            size = webPSize(chunk: bigEndian(12, 4), littleEndian: littleEndian, byte: byte)
        case .jpeg:
            size = jpegSize(bigEndian: bigEndian, byte: byte, count: bytes.count)
        }
        guard let (width, height) = size, width > 0, height > 0 else { return nil }
        return ImageHeader(format: format, width: width, height: height)
    }

    /// The first frame header (SOF0-SOF15 but DHT, JPG and DAC) after the markers before it.
    private static func jpegSize(bigEndian: (Int, Int) -> Int?, byte: (Int) -> Int?, count: Int) -> (Int, Int)? {
        var offset = 2
        while offset + 4 <= count {
            guard byte(offset) == 0xFF, let marker = byte(offset + 1) else { return nil }
            if marker == 0xFF { offset += 1; continue }  // fill byte
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { offset += 2; continue }  // no length
            guard marker != 0xD9, marker != 0xDA, let length = bigEndian(offset + 2, 2), length >= 2 else { return nil }
            if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) {
                // Length, precision, height, width.
                guard let height = bigEndian(offset + 5, 2), let width = bigEndian(offset + 7, 2) else { return nil }
                return (width, height)
            }
            offset += 2 + length
        }
        return nil
    }

    /// Lossy ("VP8 "), lossless ("VP8L") or extended ("VP8X") WebP.
    private static func webPSize(chunk: Int?, littleEndian: (Int, Int) -> Int?, byte: (Int) -> Int?) -> (Int, Int)? {
        switch chunk {
        case 0x5650_3820:  // "VP8 ": frame tag (3 bytes), start code 9D 01 2A, 14-bit sizes.
            guard byte(23) == 0x9D, byte(24) == 0x01, byte(25) == 0x2A,
                  let w = littleEndian(26, 2), let h = littleEndian(28, 2) else { return nil }
            return (w & 0x3FFF, h & 0x3FFF)
        case 0x5650_384C:  // "VP8L": signature 0x2F, then width-1 and height-1 in 14 bits each.
            guard byte(20) == 0x2F, let bits = littleEndian(21, 4) else { return nil }
            return ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
        case 0x5650_3858:  // "VP8X": flags (4 bytes), then canvas width-1 and height-1 in 24 bits.
            guard let w = littleEndian(24, 3), let h = littleEndian(27, 3) else { return nil }
            return (w + 1, h + 1)
        default:
            return nil
        }
    }
}
