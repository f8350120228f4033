/// How a command writes what it found: one type for every command's `--format`, each command
/// accepting the formats that fit what it writes (`frameFormats`, `reportFormats`,
/// `sampleFormats`).
public enum OutputFormat: String, CaseIterable, Sendable {
    /// For people: lines or a table.
    case text
    /// One JSON document (a report).
    case json
    /// One JSON object per line (a frame, a sample).
    case jsonl
    /// One row per face.
    case csv

    /// A run's per-frame output (`emotion-live [SOURCE] --headless`).
    public static let frameFormats: [OutputFormat] = [.text, .jsonl, .csv]
    /// A report printed once: `inspect`, `evaluate`, `bench`.
    public static let reportFormats: [OutputFormat] = [.text, .json]
    /// One line per input sample: `infer`.
    public static let sampleFormats: [OutputFormat] = [.jsonl, .text]

    /// Why `self` does not fit a command that accepts `accepted`, or nil when it does.
    public func refusal(accepting accepted: [OutputFormat]) -> String? {
        guard !accepted.contains(self) else { return nil }
        let names = accepted.map(\.rawValue)
        let list = names.count > 1 ? names.dropLast().joined(separator: ", ") + " or " + names.last! : names.joined()
        return "--format \(rawValue) does not apply here; use \(list)"
    }
}
