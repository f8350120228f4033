/// Serializes a JSON value built of dictionaries, arrays, strings, numbers, Bool and
/// `JSONNull`, compactly, keys sorted: for reports (`inspect`, `evaluate`, `bench`, the server's
/// replies) where no fixed key order is promised. Numbers are written as Swift spells them (the
/// shortest text that reads back to the same value); a non-finite number, which JSON cannot
/// hold, as null; any other value as null.
public func jsonString(_ value: Any) -> String {
    switch value {
    case let text as String: return NumberFormat.jsonString(text)
    case let flag as Bool: return flag ? "true" : "false"
    case let integer as any BinaryInteger: return "\(integer)"
    case let number as Double: return number.isFinite ? "\(number)" : "null"
    case let number as Float: return number.isFinite ? "\(number)" : "null"
    case let list as [Any]: return "[" + list.map(jsonString).joined(separator: ",") + "]"
    case let object as [String: Any]:
        return "{" + object.keys.sorted().map { NumberFormat.jsonString($0) + ":" + jsonString(object[$0]!) }.joined(separator: ",") + "}"
    default: return "null"
    }
}
