import Foundation

/// Number spellings shared by the text and JSON outputs: plain decimals (never exponents, so
/// every JSON reader takes them), trailing zeros trimmed, at least one digit after the point.
enum NumberFormat {
    /// `value` with at most `decimals` decimals: 0.93 -> "0.93", 1 -> "1.0", 1e-9 -> "0.0".
    static func decimal(_ value: Double, decimals: Int = 6) -> String {
        guard value.isFinite else { return "0.0" }
        var text = String(format: "%.\(decimals)f", value)
        while text.hasSuffix("0") && !text.hasSuffix(".0") { text.removeLast() }
        if text == "-0.0" { text = "0.0" }
        return text
    }

    /// A JSON string literal, quotes and control characters escaped.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension NumberFormat {
    /// `value` with exactly `decimals` decimals (text reports): 1.5 -> "1.50".
    static func fixed(_ value: Double, _ decimals: Int) -> String {
        String(format: "%.\(decimals)f", value.isFinite ? value : 0)
    }
}
