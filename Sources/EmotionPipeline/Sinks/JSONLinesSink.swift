/// One JSON object per frame on a line (`--format jsonl`): the frame object `FrameJSON` writes,
/// which is also what the server answers.
public final class JSONLinesSink: FrameSink {
    public let labels: [String]
    private let encoder: FrameJSON
    private let output: LineOutput

    public init(labels: [String], output: LineOutput = StandardOutput()) {
        self.labels = labels
        self.encoder = FrameJSON(labels: labels)
        self.output = output
    }

    public func consume(_ result: FrameResult, frame: Frame) throws -> Bool {
        try output.writeLine(encoder.encode(result))
        return true
    }
}
