/// The JSON object for one frame, on one line, keys in a fixed order: what `--format jsonl`
/// writes per frame and the server answers per picture.
///
/// `{"frame": 0, "time": 0.0, "faces": [{"id": 1, "box": [x, y, w, h], "label": "happy",
///   "confidence": 0.93, "probabilities": {"angry": 0.01, ...}}]}`
///
/// `"id"` is the tracker's face id (left out for untracked results); frames read from image
/// files carry `"source"` (the file's path) after `"time"`. A stream's reply adds `"dropped"`
/// (the frames replaced since its previous reply) last.
///
/// Boxes are in source-frame pixels (never mirrored); probabilities follow the model's label
/// order; a frame without faces has `"faces": []`. A detector that finds landmarks (MTCNN) adds
/// `"landmarks": [[x, y], ...]` to each face, last: five points in source-frame pixels, one
/// decimal (left eye, right eye, nose, left and right mouth corner). Numbers are
/// `NumberFormat.decimal`'s (never exponents), and the key order is promised: it is written
/// here by hand, not by a dictionary encoder.
public struct FrameJSON: Sendable {
    /// The model's labels, in its output order: the keys of `"probabilities"`.
    public let labels: [String]

    public init(labels: [String]) {
        self.labels = labels
    }

    /// The object for `result`, without a newline; `dropped`, when given, is written last.
    public func encode(_ result: FrameResult, dropped: Int? = nil) -> String {
        var json = "{\"frame\": \(result.frameIndex), \"time\": \(NumberFormat.decimal(result.time)), "
        if let source = result.source { json += "\"source\": \(NumberFormat.jsonString(source)), " }
        json += "\"faces\": [" + result.faces.map(encode).joined(separator: ", ") + "]"
        if let dropped { json += ", \"dropped\": \(dropped)" }
        return json + "}"
    }

    private func encode(_ face: FaceResult) -> String {
        var json = "{"
        if let id = face.id { json += "\"id\": \(id), " }
        json += "\"box\": [\(face.box.x), \(face.box.y), \(face.box.width), \(face.box.height)], "
        json += "\"label\": \(NumberFormat.jsonString(face.label)), "
        json += "\"confidence\": \(NumberFormat.decimal(Double(face.confidence))), "
        let probabilities = zip(labels, face.probabilities).map { label, p in
            "\(NumberFormat.jsonString(label)): \(NumberFormat.decimal(Double(p)))"
        }
        json += "\"probabilities\": {" + probabilities.joined(separator: ", ") + "}"
        if let landmarks = face.landmarks {
            let points = landmarks.map { "[\(NumberFormat.decimal($0.x, decimals: 1)), \(NumberFormat.decimal($0.y, decimals: 1))]" }
            json += ", \"landmarks\": [" + points.joined(separator: ", ") + "]"
        }
        return json + "}"
    }
}
