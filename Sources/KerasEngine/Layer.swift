import KerasKernels
import FoundationEssentials

// ----------------------------------------------------------------------------
// The protocol every layer kind implements, and the context it is built from.
//
// A layer is built once at load from its configuration, its input shapes and its weights; it
// checks all three and knows its output shape from then on. At inference it is only asked to
// `forward`: read its inputs, write its output, for `batch` samples laid out one after another.
// ----------------------------------------------------------------------------

/// A compiled layer. Shapes are per sample (no batch dimension), NHWC for images.
protocol Layer: AnyObject {
    /// Shape of one sample's output.
    var outputShape: [Int] { get }
    /// Multiply-adds per sample (convolutions and dense layers only), for FLOP counts.
    var multiplyAdds: Int { get }
    /// True when the output is the first input's memory, unchanged (Dropout, Flatten, Reshape,
    /// folded layers): no buffer, no `forward` call.
    var isAlias: Bool { get }
    /// Floats of scratch memory `forward` needs for `batch` samples (only while it runs).
    func scratchCount(batch: Int) -> Int
    /// True when `forward` has read all of its one input before it writes any output (it copies
    /// the input to scratch first): the output may then be written over the input's buffer.
    var runsInPlace: Bool { get }
    /// Computes `batch` samples. Each input holds `batch` samples of that input's shape.
    func forward(_ inputs: [UnsafePointer<Float>], output: UnsafeMutablePointer<Float>, batch: Int,
                 scratch: UnsafeMutablePointer<Float>)
}

extension Layer {
    var multiplyAdds: Int { 0 }
    var isAlias: Bool { false }
    func scratchCount(batch: Int) -> Int { 0 }
    var runsInPlace: Bool { false }
}

/// A layer whose output can absorb a following batch normalization or activation at load
/// (convolutions and dense layers): `y = post(activation(W x + b))`.
protocol FusableLayer: Layer {
    var activation: Activation { get set }
    /// Per-output-channel affine applied after the activation (a batch normalization that
    /// follows a non-linear activation), or nil.
    var postAffine: (scale: [Float], shift: [Float])? { get set }
    /// Number of output channels (the last axis).
    var outputChannels: Int { get }
    /// Multiplies output channel `o`'s weights by `scale[o]` and sets its bias to
    /// `bias[o] * scale[o] + shift[o]`: a batch normalization folded into the weights.
    func foldAffine(scale: [Float], shift: [Float])
}

/// What a layer constructor gets: its configuration, input shapes, a way to its weights, and
/// helpers that read configuration values with the checks an untrusted file needs.
final class LayerContext {
    let file: String
    let layer: LayerConfig
    let inputShapes: [[Int]]
    /// Major version of the Keras that wrote the file (2 when unknown); a few defaults differ.
    let kerasMajor: Int
    let weightLoader: WeightLoader
    /// The image size a fully convolutional model is planned for (`KerasModel.load(path:inputSize:)`):
    /// it fills the input's variable height and width.
    let inputSize: ImageSize?
    var warnings: [String] = []
    /// Floats read by `weights`: the layer's parameter count as Keras reports it.
    private(set) var parametersRead = 0

    init(file: String, layer: LayerConfig, inputShapes: [[Int]], kerasMajor: Int, weightLoader: WeightLoader,
         inputSize: ImageSize? = nil) {
        self.inputSize = inputSize
        self.file = file
        self.layer = layer
        self.inputShapes = inputShapes
        self.kerasMajor = kerasMajor
        self.weightLoader = weightLoader
    }

    var name: String { layer.name }
    var className: String { layer.className }

    // MARK: errors

    func invalid(_ reason: String) -> KerasModelError {
        .invalidLayerConfig(file: file, layer: layer.name, className: layer.className, reason: reason)
    }

    func shapeError(_ reason: String) -> KerasModelError {
        .incompatibleShapes(file: file, layer: layer.name, className: layer.className, reason: reason)
    }

    func unsupported(_ reason: String) -> KerasModelError {
        .unsupportedLayer(file: file, layer: layer.name, className: layer.className, reason: reason)
    }

    // MARK: inputs

    /// The single input's shape; `rank` (if given) must match.
    func singleInput(rank: Int? = nil) throws -> [Int] {
        guard inputShapes.count == 1 else {
            throw shapeError("expects 1 input, got \(inputShapes.count)")
        }
        let shape = inputShapes[0]
        if let rank, shape.count != rank {
            throw shapeError("expects an input of rank \(rank) (\(rank == 3 ? "height, width, channels" : "features")), got \(Shape.describe(shape))")
        }
        return shape
    }

    /// Checks an output shape's element count is within bounds before anything is allocated.
    func checkedShape(_ shape: [Int]) throws -> [Int] {
        guard shape.allSatisfy({ $0 > 0 }) else {
            throw shapeError("output shape \(Shape.describe(shape)) is empty (input too small for the window?)")
        }
        guard Shape.count(shape) != nil else {
            throw KerasModelError.tooLarge(file: file, layer: layer.name, what: "output size", value: Int.max, limit: Shape.maxElements)
        }
        return shape
    }

    // MARK: configuration values

    func value(_ key: String) -> Any? {
        let value = layer.config[key]
        return value is JSONNull ? nil : value
    }

    /// An integer value within `range`. JSON numbers like 3.0 are accepted as 3.
    func int(_ key: String, default fallback: Int? = nil, range: ClosedRange<Int>) throws -> Int {
        guard let raw = value(key) else {
            if let fallback { return fallback }
            throw invalid("missing '\(key)'")
        }
        guard let number = Self.integer(raw) else { throw invalid("'\(key)' is not an integer") }
        guard range.contains(number) else {
            throw invalid("'\(key)' is \(number), outside \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }

    /// A pair like `kernel_size` (an integer or a list of two), each within `range`.
    func pair(_ key: String, default fallback: (Int, Int)? = nil, range: ClosedRange<Int>) throws -> (Int, Int) {
        guard let raw = value(key) else {
            if let fallback { return fallback }
            throw invalid("missing '\(key)'")
        }
        let numbers: [Int]
        if let single = Self.integer(raw) {
            numbers = [single, single]
        } else if let list = raw as? [Any], list.count == 2, let a = Self.integer(list[0]), let b = Self.integer(list[1]) {
            numbers = [a, b]
        } else {
            throw invalid("'\(key)' is not an integer or a pair of integers")
        }
        for number in numbers where !range.contains(number) {
            throw invalid("'\(key)' is \(number), outside \(range.lowerBound)...\(range.upperBound)")
        }
        return (numbers[0], numbers[1])
    }

    func double(_ key: String, default fallback: Double? = nil) throws -> Double {
        guard let raw = value(key) else {
            if let fallback { return fallback }
            throw invalid("missing '\(key)'")
        }
        guard let number = Self.real(raw), number.isFinite else { throw invalid("'\(key)' is not a finite number") }
        return number
    }

    func bool(_ key: String, default fallback: Bool) throws -> Bool {
        guard let raw = value(key) else { return fallback }
        if let flag = Self.boolean(raw) { return flag }
        throw invalid("'\(key)' is not true or false")
    }

    func string(_ key: String, default fallback: String? = nil) throws -> String {
        guard let raw = value(key) else {
            if let fallback { return fallback }
            throw invalid("missing '\(key)'")
        }
        guard let text = raw as? String else { throw invalid("'\(key)' is not text") }
        return text
    }

    /// "valid" (false) or "same" (true).
    func paddingIsSame() throws -> Bool {
        switch try string("padding", default: "valid").lowercased() {
        case "valid": return false
        case "same": return true
        case let other: throw unsupported("padding '\(other)' (only valid and same)")
        }
    }

    /// Refuses channels_first: the engine is NHWC throughout.
    func requireChannelsLast() throws {
        let format = try string("data_format", default: "channels_last")
        guard format == "channels_last" else { throw unsupported("data_format '\(format)' (only channels_last)") }
    }

    func activation(_ key: String = "activation") throws -> Activation {
        let raw = value(key)
        guard let activation = Activation.named(raw, kerasMajor: kerasMajor) else {
            throw unsupported("activation \(raw.map { "\($0)" } ?? "?")")
        }
        return activation
    }

    /// Normalises a Keras axis (counted with the batch axis as 0, negatives from the end) to an
    /// index into the per-sample shape of rank `rank`.
    func axis(_ raw: Int, rank: Int) throws -> Int {
        let full = raw < 0 ? raw + rank + 1 : raw
        guard full >= 1, full <= rank else { throw invalid("axis \(raw) is out of range for rank \(rank + 1) tensors") }
        return full - 1
    }

    // MARK: weights

    /// Reads the layer's weights in Keras's order, checking each dataset's shape first.
    func weights(_ expected: [(name: String, shape: [Int])]) throws -> [[Float]] {
        let values = try weightLoader.load(layer: layer.name, className: layer.className, expected: expected, warnings: &warnings)
        parametersRead += values.reduce(0) { $0 + $1.count }
        return values
    }

    // MARK: number parsing

    /// `JSONReader` gives a JSON number as Int when written without fraction or exponent, as
    /// Double otherwise; true and false are Bool, never numbers.
    static func isBoolean(_ raw: Any) -> Bool { raw is Bool }

    static func integer(_ raw: Any) -> Int? {
        if let integer = raw as? Int { return integer }
        guard let double = raw as? Double, double.isFinite, double == double.rounded(), abs(double) < 1e15 else { return nil }
        return Int(double)
    }

    static func real(_ raw: Any) -> Double? {
        if let integer = raw as? Int { return Double(integer) }
        return raw as? Double
    }

    static func boolean(_ raw: Any) -> Bool? { raw as? Bool }
}
