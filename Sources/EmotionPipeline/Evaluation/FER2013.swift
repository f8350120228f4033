import FoundationEssentials
import Glibc

/// Which FER-2013 rows to use. `test` is PublicTest + PrivateTest, the original project's test set.
public enum FER2013Usage: String, CaseIterable, Sendable {
    case test, `public`, `private`, training, all

    /// Whether a row whose `Usage` column reads `value` belongs to this selection.
    public func includes(_ value: String) -> Bool {
        switch self {
        case .test: return value == "PublicTest" || value == "PrivateTest"
        case .public: return value == "PublicTest"
        case .private: return value == "PrivateTest"
        case .training: return value == "Training"
        case .all: return true
        }
    }
}

/// One face of the data set: a 48x48 grey image and its true emotion.
public struct FER2013Row: Sendable {
    /// 1-based line number in the file, for error messages.
    public let line: Int
    /// 0-based position among the file's data rows (every usage), for files row-aligned with it.
    public let index: Int
    public let emotion: EmotionLabel
    /// 48 * 48 grey values, row-major.
    public let pixels: [UInt8]
    public let usage: String
}

public enum FER2013Error: Error, CustomStringConvertible, Equatable {
    case cannotOpen(file: String, reason: String)
    case badHeader(file: String, found: String)
    case badRow(file: String, line: Int, reason: String)
    case readFailed(file: String)

    public var description: String {
        switch self {
        case let .cannotOpen(file, reason): return "\(file): cannot open: \(reason)"
        case let .badHeader(file, found):
            return "\(file):1: expected a FER-2013 header with columns emotion,pixels,Usage, found '\(found.prefix(60))'"
        case let .badRow(file, line, reason): return "\(file):\(line): \(reason)"
        case let .readFailed(file): return "\(file): read error"
        }
    }
}

/// Streams Kaggle's FER-2013 CSV (`emotion,pixels,Usage`) row by row, so a file of any size is
/// read in constant memory. `-` reads standard input (`zcat fer2013.csv.gz | ... --data -`).
public final class FER2013Reader: Sequence, IteratorProtocol {
    public static let side = 48
    public let path: String
    private let lines: LineReader
    private let usage: FER2013Usage
    private var columns: (emotion: Int, pixels: Int, usage: Int?) = (0, 1, 2)
    /// A failure met while iterating; iteration stops there and the caller reports it.
    public private(set) var error: FER2013Error?
    /// Data rows read so far, of every usage: after a full pass, the file's data row count.
    public private(set) var rowsRead = 0

    public init(path: String, usage: FER2013Usage) throws {
        self.path = path
        self.usage = usage
        if path == "-" {
            lines = LineReader(file: stdin, closeOnDeinit: false)
        } else {
            lines = try LineReader.opening(path) { FER2013Error.cannotOpen(file: path, reason: $0) }
        }
        try readHeader()
    }

    private func readHeader() throws {
        guard let header = lines.next() else { throw FER2013Error.badHeader(file: path, found: "an empty file") }
        if header.first == 0x1f {
            throw FER2013Error.cannotOpen(file: path, reason: "gzip-compressed: decompress it, e.g. zcat FILE | emotion-live evaluate --data -")
        }
        let names = String(decoding: header, as: UTF8.self).split(separator: ",")
            .map { $0.trimmingWhitespace().lowercased() }
        guard let emotion = names.firstIndex(of: "emotion"), let pixels = names.firstIndex(of: "pixels") else {
            throw FER2013Error.badHeader(file: path, found: String(decoding: header, as: UTF8.self))
        }
        columns = (emotion, pixels, names.firstIndex(of: "usage"))
    }

    public func next() -> FER2013Row? {
        guard error == nil else { return nil }
        while let bytes = lines.next() {
            if bytes.isEmpty { continue }
            rowsRead += 1
            do {
                if let row = try parse(bytes, line: lines.lineNumber) { return row }
            } catch let failure as FER2013Error {
                error = failure
                return nil
            } catch {
                return nil
            }
        }
        if lines.failed { error = .readFailed(file: path) }
        return nil
    }

    private func parse(_ bytes: [UInt8], line: Int) throws -> FER2013Row? {
        let fields = bytes.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        let needed = Swift.max(columns.emotion, columns.pixels, columns.usage ?? 0) + 1
        guard fields.count >= needed else {
            throw FER2013Error.badRow(file: path, line: line, reason: "expected \(needed) columns, found \(fields.count)")
        }
        let usageValue = columns.usage.map { String(decoding: fields[$0], as: UTF8.self).trimmingWhitespace() } ?? "PublicTest"
        guard ["Training", "PublicTest", "PrivateTest"].contains(usageValue) else {
            throw FER2013Error.badRow(file: path, line: line, reason: "unknown Usage '\(usageValue.prefix(40))' (expected Training, PublicTest or PrivateTest)")
        }
        let codeText = String(decoding: fields[columns.emotion], as: UTF8.self).trimmingWhitespace()
        guard let code = Int(codeText), let emotion = EmotionLabel(fer2013Code: code) else {
            throw FER2013Error.badRow(file: path, line: line, reason: "unknown emotion code '\(codeText.prefix(20))' (expected 0-6)")
        }
        guard usage.includes(usageValue) else { return nil }
        let pixels = try parsePixels(fields[columns.pixels], line: line)
        return FER2013Row(line: line, index: rowsRead - 1, emotion: emotion, pixels: pixels, usage: usageValue)
    }

    private func parsePixels(_ field: ArraySlice<UInt8>, line: Int) throws -> [UInt8] {
        let expected = Self.side * Self.side
        var pixels = [UInt8]()
        pixels.reserveCapacity(expected)
        var value = 0
        var digits = 0
        func flush() throws {
            guard digits > 0 else { return }
            guard value <= 255 else {
                throw FER2013Error.badRow(file: path, line: line, reason: "pixel value \(value) is out of 0-255")
            }
            guard pixels.count < expected else {
                throw FER2013Error.badRow(file: path, line: line, reason: "more than \(expected) pixels (expected 48x48)")
            }
            pixels.append(UInt8(value))
            value = 0
            digits = 0
        }
        for byte in field {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = Swift.min(value * 10 + Int(byte - UInt8(ascii: "0")), 100_000)
                digits += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\""):
                try flush()
            default:
                throw FER2013Error.badRow(file: path, line: line, reason: "unexpected character '\(Character(Unicode.Scalar(byte)))' in pixels")
            }
        }
        try flush()
        guard pixels.count == expected else {
            throw FER2013Error.badRow(file: path, line: line, reason: "\(pixels.count) pixels, expected \(expected) (48x48)")
        }
        return pixels
    }
}

/// Reads a stream line by line through a fixed buffer, whatever the line length.
final class LineReader {
    private let file: UnsafeMutablePointer<FILE>
    private let closeOnDeinit: Bool
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private var start = 0
    private var end = 0
    private var eof = false
    private(set) var lineNumber = 0
    private(set) var failed = false

    init(file: UnsafeMutablePointer<FILE>, closeOnDeinit: Bool) {
        self.file = file
        self.closeOnDeinit = closeOnDeinit
    }

    deinit { if closeOnDeinit { fclose(file) } }

    /// The lines of the file at `path`; a path that is missing, a directory or cannot be opened
    /// throws `failure` of the reason ("no such file", "is a directory", the system's words).
    static func opening(_ path: String, failure: (String) -> Error) throws -> LineReader {
        var isDirectory: Bool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw failure("no such file") }
        guard !isDirectory else { throw failure("is a directory") }
        guard let file = fopen(path, "rb") else { throw failure(String(cString: strerror(errno))) }
        return LineReader(file: file, closeOnDeinit: true)
    }

    /// The next line without its terminator (`\n` or `\r\n`), or nil at the end.
    func next() -> [UInt8]? {
        var line = [UInt8]()
        while true {
            if start == end {
                if eof { break }
                end = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
                start = 0
                if end == 0 {
                    eof = true
                    failed = ferror(file) != 0
                    break
                }
            }
            if let newline = buffer[start..<end].firstIndex(of: UInt8(ascii: "\n")) {
                line.append(contentsOf: buffer[start..<newline])
                start = newline + 1
                lineNumber += 1
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return line
            }
            line.append(contentsOf: buffer[start..<end])
            start = end
        }
        guard !line.isEmpty else { return nil }
        lineNumber += 1
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return line
    }
}
