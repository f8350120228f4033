import FoundationEssentials
import Glibc

/// A NumPy `.npy` array of floats, as `numpy.save` writes it (format versions 1-3,
/// little-endian float32 or float64, C order). The original project kept its data this way.
public struct NPYArray: Sendable {
    public let shape: [Int]
    public let values: [Float]

    /// Upper bound on elements, so a header cannot make the reader allocate without limit.
    public static let maxElements = 1 << 30

    public init(path: String) throws {
        var isDirectory: Bool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw NPYError.cannotOpen(file: path, reason: "no such file")
        }
        guard !isDirectory else { throw NPYError.cannotOpen(file: path, reason: "is a directory") }
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else {
            throw NPYError.cannotOpen(file: path, reason: "cannot read")
        }
        try self.init(data: data, file: path)
    }

    public init(data: Data, file: String) throws {
        let bytes = [UInt8](data.prefix(12))
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
            throw NPYError.malformed(file: file, reason: "not a .npy file (no \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw NPYError.malformed(file: file, reason: "truncated header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw NPYError.malformed(file: file, reason: "unsupported format version \(major)")
        }
        guard headerLength <= 1 << 20, headerStart + headerLength <= data.count else {
            throw NPYError.malformed(file: file, reason: "truncated header")
        }
        let header = String(decoding: data[(data.startIndex + headerStart)..<(data.startIndex + headerStart + headerLength)], as: UTF8.self)
        let descr = try Self.field("descr", in: header, file: file)
        let fortran = try Self.field("fortran_order", in: header, file: file)
        let shapeText = try Self.field("shape", in: header, file: file)
        guard fortran.hasPrefix("False") else {
            throw NPYError.malformed(file: file, reason: "Fortran-ordered arrays are not supported; save with numpy.ascontiguousarray")
        }
        let elementSize: Int
        switch descr.trimming(charactersIn: "'\" ") {
        case "<f4", "=f4", "|f4": elementSize = 4
        case "<f8", "=f8", "|f8": elementSize = 8
        case let other:
            throw NPYError.malformed(file: file, reason: "dtype \(other) is not supported (expected float32 '<f4' or float64 '<f8')")
        }
        let inner = shapeText.trimming(charactersIn: "() ")
        var shape: [Int] = []
        for part in inner.split(separator: ",") {
            let text = part.trimmingWhitespace()
            if text.isEmpty { continue }
            guard let dim = Int(text), dim >= 0 else {
                throw NPYError.malformed(file: file, reason: "bad shape \(shapeText)")
            }
            shape.append(dim)
        }
        var count = 1
        for dim in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow, product <= Self.maxElements else {
                throw NPYError.malformed(file: file, reason: "shape \(shapeText) is too large")
            }
            count = product
        }
        let payloadStart = headerStart + headerLength
        guard data.count - payloadStart >= count * elementSize else {
            throw NPYError.malformed(file: file, reason: "truncated: shape \(shape) needs \(count * elementSize) bytes of data, the file has \(data.count - payloadStart)")
        }
        var values = [Float](repeating: 0, count: count)
        data.withUnsafeBytes { raw in
            let base = raw.baseAddress! + payloadStart
            if elementSize == 4 {
                for i in 0..<count { values[i] = Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))) }
            } else {
                for i in 0..<count { values[i] = Float(Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)))) }
            }
        }
        self.shape = shape
        self.values = values
    }

    /// The text after `'key':` in the header dictionary, up to the next top-level comma.
    private static func field(_ key: String, in header: String, file: String) throws -> String {
        guard let range = header.firstRange(of: "'\(key)':") else {
            throw NPYError.malformed(file: file, reason: "header has no '\(key)'")
        }
        var depth = 0
        var result = ""
        for character in header[range.upperBound...] {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if (character == "," && depth == 0) || character == "}" { break }
            result.append(character)
            if depth < 0 { break }
        }
        return result.trimmingWhitespace()
    }
}

public enum NPYError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(file: String, reason: String)
    case malformed(file: String, reason: String)
    case shapeMismatch(file: String, found: [Int], expected: [Int])

    public var description: String {
        switch self {
        case let .cannotOpen(file, reason): return "\(file): cannot open: \(reason)"
        case let .malformed(file, reason): return "\(file): \(reason)"
        case let .shapeMismatch(file, found, expected):
            let shape = expected.map(String.init).joined(separator: ", ")
            return "\(file): array shape \(found) does not fit the model: expected (N, \(shape))"
        }
    }
}
