import FoundationEssentials

/// `value` as one line of JSON, for the typed reports (`bench`'s), whose keys are declared once
/// in their `CodingKeys`: keys sorted and no spaces, as `jsonString` writes them, and paths'
/// slashes left as they are. Numbers are Swift's shortest spelling, except that a whole number
/// loses its ".0" (1.0 is written 1: the same JSON number).
public func jsonLine<Value: Encodable>(_ value: Value) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
