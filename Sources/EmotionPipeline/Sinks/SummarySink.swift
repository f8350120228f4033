/// At the end of a run, the share of time each face (by tracker id) and all faces together
/// spent in each emotion, counted in frames (the label of each face in each frame).
///
/// As text (`--format text|csv`, window), for standard error:
///
///     summary: 464 frames, 446 with faces
///     face 1: 440 frames, 0.00-15.43 s: neutral 61.4%, sad 20.0%, happy 18.6%
///     all faces: 446 face-frames: neutral 61.0%, ...
///
/// As JSON (`--format jsonl`), one final line:
///
///     {"summary": {"frames": 464, "frames_with_faces": 446, "faces": [{"id": 1, "frames": 440,
///      "first": 0.0, "last": 15.43, "shares": {"angry": 0.0, ...}}], "all": {"face_frames": 446,
///      "shares": {...}}}}
///
/// Shares follow the model's label order in JSON and are sorted, largest first (zeros left
/// out), in text.
public final class SummarySink: FrameSink {
    public enum Style: Sendable { case text, json }

    public let labels: [String]
    public let style: Style
    private let output: LineOutput
    private var frames = 0
    private var framesWithFaces = 0
    /// Per id: frames seen, first and last time, frames per label index.
    private var perFace: [Int: (frames: Int, first: Double, last: Double, counts: [Int])] = [:]
    private var order: [Int] = []
    private var all: [Int]

    public init(labels: [String], style: Style, output: LineOutput) {
        self.labels = labels
        self.style = style
        self.output = output
        all = [Int](repeating: 0, count: labels.count)
    }

    public func consume(_ result: FrameResult, frame: Frame) throws -> Bool {
        frames += 1
        if !result.faces.isEmpty { framesWithFaces += 1 }
        for (n, face) in result.faces.enumerated() {
            let id = face.id ?? -(n + 1)
            var entry = perFace[id] ?? (0, result.time, result.time, [Int](repeating: 0, count: labels.count))
            if perFace[id] == nil { order.append(id) }
            entry.frames += 1
            entry.last = result.time
            if let index = labels.firstIndex(of: face.label) {
                entry.counts[index] += 1
                all[index] += 1
            }
            perFace[id] = entry
        }
        return true
    }

    /// Prints the report when the run's frames are kept. A JSON summary whose reader has
    /// gone is nobody's to read: not an error.
    public func complete(_ outcome: RunOutcome) throws {
        guard outcome.keepsFrames else { return }
        do {
            try report()
        } catch PipelineError.outputClosed {
        }
    }

    /// Writes the report (after a run that was not ended by an error; a run stopped by a signal
    /// reports the frames it did).
    public func report() throws {
        for line in lines() { try output.writeLine(line) }
    }

    /// The report, as `style` asks.
    public func lines() -> [String] {
        let faceFrames = all.reduce(0, +)
        switch style {
        case .text:
            var lines = ["summary: \(frames) frames, \(framesWithFaces) with faces"]
            for id in order {
                guard let entry = perFace[id] else { continue }
                let span = "\(NumberFormat.fixed(entry.first, 2))-\(NumberFormat.fixed(entry.last, 2)) s"
                lines.append("face \(id): \(entry.frames) frames, \(span): \(textShares(entry.counts))")
            }
            if !order.isEmpty { lines.append("all faces: \(faceFrames) face-frames: \(textShares(all))") }
            return lines
        case .json:
            let faces = order.compactMap { id -> String? in
                guard let entry = perFace[id] else { return nil }
                return "{\"id\": \(id), \"frames\": \(entry.frames), \"first\": \(NumberFormat.decimal(entry.first)), "
                    + "\"last\": \(NumberFormat.decimal(entry.last)), \"shares\": \(jsonShares(entry.counts))}"
            }
            return ["{\"summary\": {\"frames\": \(frames), \"frames_with_faces\": \(framesWithFaces), "
                + "\"faces\": [\(faces.joined(separator: ", "))], "
                + "\"all\": {\"face_frames\": \(faceFrames), \"shares\": \(jsonShares(all))}}}"]
        }
    }

    private func textShares(_ counts: [Int]) -> String {
        let total = max(1, counts.reduce(0, +))
        return zip(labels, counts).filter { $0.1 > 0 }.sorted { $0.1 > $1.1 }
            .map { "\($0.0) \(NumberFormat.fixed(Double($0.1) * 100 / Double(total), 1))%" }
            .joined(separator: ", ")
    }

    private func jsonShares(_ counts: [Int]) -> String {
        let total = max(1, counts.reduce(0, +))
        let pairs = zip(labels, counts).map { "\(NumberFormat.jsonString($0.0)): \(NumberFormat.decimal(Double($0.1) / Double(total)))" }
        return "{\(pairs.joined(separator: ", "))}"
    }
}
