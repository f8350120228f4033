/// One JSON object per frame on a line, keys in a fixed order:
///
/// `{"frame": 0, "time": 0.0, "faces": [{"box": [x, y, w, h], "label": "happy",
///   "confidence": 0.93, "probabilities": {"angry": 0.01, ...}}]}`
///
/// Boxes are in source-frame pixels (never mirrored); probabilities follow the model's label
/// order; a frame without faces has `"faces": []`.
public final class JSONLinesSink: FrameSink {
    public let labels: [String]
    private let output: LineOutput

    public init(labels: [String], output: LineOutput = StandardOutput()) {
        self.labels = labels
        self.output = output
    }

    public func consume(_ result: FrameResult, frame: Frame) throws -> Bool {
        try output.writeLine(Self.line(for: result, labels: labels))
        return true
    }

    /// The line for one frame, without its newline.
    public static func line(for result: FrameResult, labels: [String]) -> String {
        let faces = result.faces.map { face -> String in
            let box = "[\(face.box.x), \(face.box.y), \(face.box.width), \(face.box.height)]"
            let probabilities = zip(labels, face.probabilities).map { label, p in
                "\(NumberFormat.jsonString(label)): \(NumberFormat.decimal(Double(p)))"
            }
            return "{\"box\": \(box), \"label\": \(NumberFormat.jsonString(face.label)), "
                + "\"confidence\": \(NumberFormat.decimal(Double(face.confidence))), "
                + "\"probabilities\": {\(probabilities.joined(separator: ", "))}}"
        }
        return "{\"frame\": \(result.frameIndex), \"time\": \(NumberFormat.decimal(result.time)), "
            + "\"faces\": [\(faces.joined(separator: ", "))]}"
    }
}
