import FoundationEssentials
import Glibc

/// Number spellings shared by the text and JSON outputs: plain decimals (never exponents, so
/// every JSON reader takes them), trailing zeros trimmed, at least one digit after the point.
public enum NumberFormat {
    /// `value` with at most `decimals` decimals: 0.93 -> "0.93", 1 -> "1.0", 1e-9 -> "0.0".
    public static func decimal(_ value: Double, decimals: Int = 6) -> String {
        guard value.isFinite else { return "0.0" }
        var text = fixed(value, decimals)
        while text.hasSuffix("0") && !text.hasSuffix(".0") { text.removeLast() }
        if text == "-0.0" { text = "0.0" }
        return text
    }

    /// A JSON string literal, quotes and control characters escaped.
    public static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension NumberFormat {
    /// `value` with exactly `decimals` decimals, right-aligned in `width` characters (text
    /// reports): 1.5 -> "1.50". C's "%*.*f", so the digits are those printf gives.
    public static func fixed(_ value: Double, _ decimals: Int, width: Int = 0) -> String {
        let value = value.isFinite ? value : 0
        let arguments: [CVarArg] = [Int32(width), Int32(decimals), value]
        var capacity = 64
        while true {
            let (written, text) = withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { buffer in
                let written = withVaList(arguments) { vsnprintf(buffer.baseAddress, capacity, "%*.*f", $0) }
                return (Int(written), written >= 0 && Int(written) < capacity ? String(cString: buffer.baseAddress!) : "")
            }
            if written < 0 { return "" }
            if written < capacity { return text }
            capacity = written + 1
        }
    }
}
