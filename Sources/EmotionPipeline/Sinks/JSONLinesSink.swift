/// One JSON object per frame on a line, keys in a fixed order:
///
/// `{"frame": 0, "time": 0.0, "faces": [{"id": 1, "box": [x, y, w, h], "label": "happy",
///   "confidence": 0.93, "probabilities": {"angry": 0.01, ...}}]}`
///
/// `"id"` is the tracker's face id (left out for untracked results); frames read from image
/// files carry `"source"` (the file's path) after `"time"`.
///
/// Boxes are in source-frame pixels (never mirrored); probabilities follow the model's label
/// order; a frame without faces has `"faces": []`. A detector that finds landmarks (MTCNN) adds
/// `"landmarks": [[x, y], ...]` to each face, last: five points in source-frame pixels, one
/// decimal (left eye, right eye, nose, left and right mouth corner).
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
            let id = face.id.map { "\"id\": \($0), " } ?? ""
            let landmarks = face.landmarks.map { points in
                ", \"landmarks\": [" + points.map { "[\(NumberFormat.decimal($0.x, decimals: 1)), \(NumberFormat.decimal($0.y, decimals: 1))]" }
                    .joined(separator: ", ") + "]"
            } ?? ""
            return "{\(id)\"box\": \(box), \"label\": \(NumberFormat.jsonString(face.label)), "
                + "\"confidence\": \(NumberFormat.decimal(Double(face.confidence))), "
                + "\"probabilities\": {\(probabilities.joined(separator: ", "))}\(landmarks)}"
        }
        let source = result.source.map { "\"source\": \(NumberFormat.jsonString($0)), " } ?? ""
        return "{\"frame\": \(result.frameIndex), \"time\": \(NumberFormat.decimal(result.time)), \(source)"
            + "\"faces\": [\(faces.joined(separator: ", "))]}"
    }
}
