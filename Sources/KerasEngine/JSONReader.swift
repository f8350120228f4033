/// JSON text read into plain Swift values: `[String: Any]`, `[Any]`, `String`, `Bool`, `Int`
/// (a number written without fraction or exponent that fits), `Double` (any other number) and
/// `JSONNull`. Keras's `model_config` and the models' sidecar files are read with it.
///
/// Written here rather than taken from Foundation's JSONSerialization so that the binary needs
/// only FoundationEssentials: full Foundation (CoreFoundation, ICU) costs about 3 MB resident in
/// every run. Python's `json` writes NaN, Infinity and -Infinity for such floats, and Keras
/// configurations can hold them, so they are read too; anything else outside RFC 8259 is an error.
public enum JSONReader {
    /// The reason a text is not JSON, with the byte offset where reading stopped.
    public struct SyntaxError: Error, Equatable, CustomStringConvertible {
        public let offset: Int
        public let reason: String
        public var description: String { "\(reason) at byte \(offset)" }
    }

    /// Nesting deeper than this is refused: each level is a recursive call, and a hostile file of
    /// a million '[' would otherwise overflow the stack.
    public static let maxDepth = 512

    /// The value `bytes` (UTF-8) hold; whitespace may surround it, nothing else.
    public static func parse(_ bytes: some Collection<UInt8>) throws -> Any {
        let array = Array(bytes)
        return try array.withUnsafeBufferPointer { buffer in
            var parser = Parser(bytes: buffer)
            let value = try parser.value(depth: 0)
            parser.skipWhitespace()
            guard parser.position == buffer.count else { throw parser.error("text after the value") }
            return value
        }
    }

    public static func parse(_ text: String) throws -> Any { try parse(Array(text.utf8)) }
}

/// JSON's `null` among the values `JSONReader` gives.
public struct JSONNull: Equatable, Sendable {
    public init() {}
}

private struct Parser {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    func error(_ reason: String) -> JSONReader.SyntaxError { .init(offset: position, reason: reason) }

    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
    }

    /// Consumes `word` if the text continues with it.
    mutating func consume(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        for i in 0..<count where bytes[position + i] != word.utf8Start[i] { return false }
        position += count
        return true
    }

    mutating func value(depth: Int) throws -> Any {
        guard depth < JSONReader.maxDepth else { throw error("nested deeper than \(JSONReader.maxDepth)") }
        skipWhitespace()
        guard let byte = current else { throw error("unexpected end of text") }
        switch byte {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return try string()
        case UInt8(ascii: "t") where consume("true"): return true
        case UInt8(ascii: "f") where consume("false"): return false
        case UInt8(ascii: "n") where consume("null"): return JSONNull()
        case UInt8(ascii: "N") where consume("NaN"): return Double.nan
        case UInt8(ascii: "I") where consume("Infinity"): return Double.infinity
        case UInt8(ascii: "-") where consume("-Infinity"): return -Double.infinity
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw error("unexpected character")
        }
    }

    mutating func object(depth: Int) throws -> [String: Any] {
        position += 1
        var result: [String: Any] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return result
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try string()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("expected ':'") }
            position += 1
            result[key] = try value(depth: depth + 1)
            if try endsAfterMember(closing: "}") { return result }
        }
    }

    mutating func array(depth: Int) throws -> [Any] {
        position += 1
        var result: [Any] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return result
        }
        while true {
            result.append(try value(depth: depth + 1))
            if try endsAfterMember(closing: "]") { return result }
        }
    }

    /// After a member of an object or an array: consumes the comma before the next one (false)
    /// or the closing bracket (true).
    mutating func endsAfterMember(closing: Unicode.Scalar) throws -> Bool {
        skipWhitespace()
        switch current {
        case UInt8(ascii: ","):
            position += 1
            return false
        case UInt8(ascii: closing):
            position += 1
            return true
        default: throw error("expected ',' or '\(closing)'")
        }
    }

    mutating func string() throws -> String {
        position += 1
        var utf8: [UInt8] = []
        while true {
            guard let byte = current else { throw error("unterminated string") }
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: utf8, as: UTF8.self) else { throw error("string is not UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                try escape(into: &utf8)
            case 0..<0x20:
                throw error("control character in string")
            default:
                utf8.append(byte)
            }
        }
    }

    mutating func escape(into utf8: inout [UInt8]) throws {
        guard let byte = current else { throw error("unterminated string") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(byte)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low one: together one scalar.
                guard consume("\\u") else { throw error("unpaired surrogate") }
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw error("unpaired surrogate") }
            utf8.append(contentsOf: String(Character(unicode)).utf8)
        default:
            throw error("unknown escape")
        }
    }

    mutating func hex4() throws -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("bad \\u escape")
            }
            value = value * 16 + UInt32(digit)
            position += 1
        }
        return value
    }

    /// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
    mutating func number() throws -> Any {
        let start = position
        func digits() -> Int {
            let first = position
            while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { position += 1 }
            return position - first
        }
        if current == UInt8(ascii: "-") { position += 1 }
        let integerStart = position
        let integerDigits = digits()
        guard integerDigits > 0 else { throw error("bad number") }
        guard integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else { throw error("leading zero in number") }
        var integral = true
        if current == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw error("bad number") }
            integral = false
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { throw error("bad number") }
            integral = false
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        if integral, let integer = Int(text) { return integer }
        guard let double = Double(text) else { throw error("bad number") }
        return double
    }
}
