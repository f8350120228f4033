import KerasKernels
import HDF5

/// Everything that can go wrong while loading a Keras model. Each case carries the file and, where
/// there is one, the layer (name and Keras class) so the command-line tool can print one line a
/// user can act on. The description always starts with the file path.
public enum KerasModelError: Error, Equatable, CustomStringConvertible {
    /// The HDF5 layer failed (missing file, not HDF5, truncated, missing dataset...).
    case hdf5(HDF5Error)
    /// The file has no `model_config` attribute: it holds weights only.
    case noModelConfig(file: String)
    /// `model_config` is not JSON, or not the JSON of a Keras model.
    case invalidConfig(file: String, reason: String)
    /// The graph cannot be run: unknown references, cycles, several inputs or outputs...
    case invalidGraph(file: String, reason: String)
    /// A layer class this engine does not implement (Lambda, custom, unknown). Never executed.
    case unsupportedLayer(file: String, layer: String, className: String, reason: String)
    /// A layer's configuration holds a missing, malformed or out-of-range value.
    case invalidLayerConfig(file: String, layer: String, className: String, reason: String)
    /// A layer's input shapes do not fit what it computes.
    case incompatibleShapes(file: String, layer: String, className: String, reason: String)
    /// A weight the layer needs is absent from `model_weights`.
    case missingWeight(file: String, layer: String, className: String, weight: String)
    /// A weight dataset has a different shape from the one the configuration implies.
    case weightShape(file: String, layer: String, className: String, dataset: String, expected: [Int], found: [Int])
    /// A size derived from the file exceeds what the engine is willing to allocate.
    case tooLarge(file: String, layer: String, what: String, value: Int, limit: Int)

    public var description: String {
        switch self {
        case let .hdf5(error):
            return error.description
        case let .noModelConfig(file):
            return "\(file): no model_config attribute (a weights-only file? save the whole model with model.save)"
        case let .invalidConfig(file, reason):
            return "\(file): invalid model_config: \(reason)"
        case let .invalidGraph(file, reason):
            return "\(file): cannot run the model graph: \(reason)"
        case let .unsupportedLayer(file, layer, className, reason):
            return "\(file): layer '\(layer)' (\(className)): unsupported: \(reason)"
        case let .invalidLayerConfig(file, layer, className, reason):
            return "\(file): layer '\(layer)' (\(className)): invalid configuration: \(reason)"
        case let .incompatibleShapes(file, layer, className, reason):
            return "\(file): layer '\(layer)' (\(className)): \(reason)"
        case let .missingWeight(file, layer, className, weight):
            return "\(file): layer '\(layer)' (\(className)): missing weight '\(weight)' in model_weights/\(layer)"
        case let .weightShape(file, layer, className, dataset, expected, found):
            return "\(file): layer '\(layer)' (\(className)): weight \(dataset) has shape \(Shape.describe(found)), expected \(Shape.describe(expected))"
        case let .tooLarge(file, layer, what, value, limit):
            return "\(file): layer '\(layer)': \(what) is \(value), more than the limit of \(limit)"
        }
    }
}
