import FoundationEssentials
import Glibc
import KerasEngine

/// How a model expects its 0-255 grey pixels to be scaled. The original project's live script
/// fed raw pixels to a model trained on x/255; making the scaling part of the model's metadata
/// (and checking it in tests) is how emotion-live avoids that fault.
public enum InputScale: String, CaseIterable, Sendable {
    /// x / 255, in [0, 1] (the original project, the bundled model).
    case unit
    /// (x / 255 - 0.5) * 2, in [-1, 1] (mini-Xception of face_classification).
    case signed
    /// x unchanged, in [0, 255] (models that rescale inside the graph).
    case raw

    /// The affine map x * scale + offset this scaling applies to a 0-255 pixel.
    public var scaleAndOffset: (scale: Float, offset: Float) {
        switch self {
        case .unit: return (1 / 255, 0)
        case .signed: return (2 / 255, -1)
        case .raw: return (1, 0)
        }
    }
}

/// What a network's numbers mean: its class labels, in output order, and its input scaling.
///
/// Keras files do not record either. emotion-live reads them from a sidecar file next to the
/// model (`NAME.meta.json` beside `NAME.h5`), and command-line flags override the sidecar:
///
/// ```json
/// {"format": "emotion-live-model", "version": 1,
///  "labels": ["angry", "disgusted", "fearful", "happy", "neutral", "sad", "surprised"],
///  "input_scale": "unit", "flip_average": false}
/// ```
/// Without either, a 7-class model is assumed to use the canonical labels and x/255.
public struct ModelMetadata: Equatable, Sendable {
    /// Label names in the model's output order, as the model spells them.
    public var labels: [String]
    public var inputScale: InputScale
    /// Classify each face and its mirror image and average the two (costs two inferences).
    public var flipAverage: Bool
    /// Where the metadata came from, for `inspect`: "sidecar PATH", "defaults", "flags".
    public var origin: String

    public init(labels: [String], inputScale: InputScale, flipAverage: Bool = false, origin: String = "flags") {
        self.labels = labels
        self.inputScale = inputScale
        self.flipAverage = flipAverage
        self.origin = origin
    }

    /// The canonical emotion of each output, or nil for a label that is none of the eight.
    public var emotions: [EmotionLabel?] { labels.map(EmotionLabel.init(spelling:)) }

    /// The defaults for a model with `classCount` outputs and no sidecar.
    public static func defaults(classCount: Int) -> ModelMetadata {
        let labels = [EmotionLabel.canonicalOrder, EmotionLabel.ferPlusOrder]
            .first { $0.count == classCount }?.map(\.rawValue) ?? (0..<classCount).map { "class\($0)" }
        return ModelMetadata(labels: labels, inputScale: .unit, origin: "defaults")
    }

    /// The sidecar path for a model path: `dir/NAME.meta.json` for `dir/NAME.h5`.
    public static func sidecarPath(forModel modelPath: String) -> String {
        let url = URL(fileURLWithPath: modelPath)
        return url.deletingPathExtension().appendingPathExtension("meta.json").path
    }

    /// Resolves the metadata in force: sidecar (if present) over defaults, then flags over both.
    /// Throws when the sidecar is malformed or the labels do not match the model's output count.
    public static func resolve(
        modelPath: String, classCount: Int,
        labels: [String]? = nil, inputScale: InputScale? = nil, flipAverage: Bool? = nil
    ) throws -> ModelMetadata {
        var metadata = defaults(classCount: classCount)
        let sidecar = sidecarPath(forModel: modelPath)
        if FileManager.default.fileExists(atPath: sidecar) {
            metadata = try load(sidecar: sidecar)
        }
        if labels != nil || inputScale != nil || flipAverage != nil {
            metadata.origin = metadata.origin == "defaults" ? "flags" : metadata.origin + " + flags"
        }
        if let labels { metadata.labels = labels }
        if let inputScale { metadata.inputScale = inputScale }
        if let flipAverage { metadata.flipAverage = flipAverage }
        guard metadata.labels.count == classCount else {
            throw ModelMetadataError.labelCountMismatch(
                model: modelPath, labels: metadata.labels.count, outputs: classCount, origin: metadata.origin)
        }
        return metadata
    }

    /// Reads a sidecar file.
    public static func load(sidecar path: String) throws -> ModelMetadata {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelMetadataError.unreadable(file: path)
        }
        guard let object = try? JSONReader.parse(data), let json = object as? [String: Any] else {
            throw ModelMetadataError.malformed(file: path, reason: "not a JSON object")
        }
        guard let labels = json["labels"] as? [String], !labels.isEmpty else {
            throw ModelMetadataError.malformed(file: path, reason: "\"labels\" must be a non-empty list of strings")
        }
        var scale = InputScale.unit
        if let value = json["input_scale"] {
            guard let name = value as? String, let parsed = InputScale(rawValue: name) else {
                throw ModelMetadataError.malformed(file: path, reason: "\"input_scale\" must be one of unit, signed, raw")
            }
            scale = parsed
        }
        var flip = false
        if let value = json["flip_average"] {
            guard let parsed = value as? Bool else {
                throw ModelMetadataError.malformed(file: path, reason: "\"flip_average\" must be true or false")
            }
            flip = parsed
        }
        return ModelMetadata(labels: labels, inputScale: scale, flipAverage: flip, origin: "sidecar \(path)")
    }
}

public enum ModelMetadataError: Error, CustomStringConvertible, Equatable {
    case unreadable(file: String)
    case malformed(file: String, reason: String)
    case labelCountMismatch(model: String, labels: Int, outputs: Int, origin: String)

    public var description: String {
        switch self {
        case let .unreadable(file): return "\(file): cannot read model metadata"
        case let .malformed(file, reason): return "\(file): bad model metadata: \(reason)"
        case let .labelCountMismatch(model, labels, outputs, origin):
            return "\(model): the model has \(outputs) outputs but \(labels) labels were given (\(origin))"
        }
    }
}
