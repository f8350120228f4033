/// What a benchmark measured, as `bench` prints it: text for people, or (`Encodable`, through
/// `jsonLine`) one JSON object for scripts.
public protocol BenchmarkReport: Encodable {
    /// The text report, one line per figure or table row.
    var text: String { get }
}
