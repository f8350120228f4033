/// Trimming without Foundation's CharacterSet (the binary links only FoundationEssentials).
extension StringProtocol {
    /// The text without leading and trailing whitespace (spaces, tabs, newlines).
    public func trimmingWhitespace() -> String { trimming { $0.isWhitespace } }

    /// The text without the leading and trailing characters that are in `characters`.
    public func trimming(charactersIn characters: String) -> String { trimming { characters.contains($0) } }

    /// The text without the leading and trailing characters for which `drop` is true.
    public func trimming(where drop: (Character) -> Bool) -> String {
        guard let first = firstIndex(where: { !drop($0) }), let last = lastIndex(where: { !drop($0) }) else { return "" }
        return String(self[first...last])
    }
}
