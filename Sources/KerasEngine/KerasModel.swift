import KerasKernels
import FoundationEssentials
import HDF5

// ----------------------------------------------------------------------------
// KerasModel: a Keras .h5 model loaded for inference, in pure Swift.
//
// Load reads the `model_config` JSON, orders and validates the layer graph, builds each layer
// from its configuration and weights (checking every number and shape before allocating), then
// rewrites the graph once: batch normalizations and activations that follow a convolution or
// dense layer are folded into it. `makeSession` plans the buffers a thread needs to run it.
// ----------------------------------------------------------------------------

/// One row of `inspect`'s table, in Keras's layer order.
public struct LayerSummary {
    public let name: String
    public let className: String
    /// Per sample: batch dimension dropped.
    public let outputShape: [Int]
    public let parameterCount: Int
    public let inboundLayers: [String]
}

/// A picture's height and width in pixels.
public struct ImageSize: Hashable, Sendable {
    public let height: Int
    public let width: Int

    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }
}

/// A Keras model, loaded from an HDF5 file written by `model.save` (Keras 2.0 to 3.x).
/// Immutable once loaded; sessions made from it can run on different threads.
public final class KerasModel {
    public let path: String
    /// `[H, W, C]` (or `[N]` for flat inputs), batch dimension dropped.
    public let inputShape: [Int]
    /// E.g. `[7]`.
    public let outputShape: [Int]
    public var outputCount: Int { Shape.count(outputShape) ?? 0 }
    public var inputCount: Int { Shape.count(inputShape) ?? 0 }
    /// The root attribute `keras_version`, e.g. "2.3.0-tf".
    public let kerasVersion: String?
    public let backend: String?
    /// Non-fatal problems found while loading, e.g. "layer 'dense_1': kernel contains NaN".
    public let warnings: [String]
    /// For `inspect`, in Keras's order.
    public let layers: [LayerSummary]
    /// Total parameters, as Keras's "Total params" (batch-norm statistics included).
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }
    /// Floating-point operations per inference of one sample: 2 x multiply-adds of the
    /// convolutions and dense layers.
    public var flops: Int { multiplyAdds > Int.max / 2 ? Int.max : 2 * multiplyAdds }

    /// The executable graph, topologically ordered; `steps[0]` is the input.
    let steps: [Step]
    let outputStep: Int
    private let multiplyAdds: Int

    struct Step {
        let layer: Layer
        let inputs: [Int]
        /// The Keras layer's name and class, for profiles.
        let name: String
        let className: String
    }

    /// Largest total parameter count accepted.
    static let maxParameters = 1 << 28
    /// Largest sum of all layers' outputs for one sample, in floats (256 MiB).
    static let maxActivations = 1 << 26

    init(path: String, inputShape: [Int], outputShape: [Int], kerasVersion: String?, backend: String?,
         warnings: [String], layers: [LayerSummary], steps: [Step], outputStep: Int, multiplyAdds: Int) {
        self.path = path
        self.inputShape = inputShape
        self.outputShape = outputShape
        self.kerasVersion = kerasVersion
        self.backend = backend
        self.warnings = warnings
        self.layers = layers
        self.steps = steps
        self.outputStep = outputStep
        self.multiplyAdds = multiplyAdds
    }

    /// Loads a model. Throws `KerasModelError` (an HDF5 failure arrives as `.hdf5`).
    ///
    /// `inputSize` plans a fully convolutional model (input height and width `None`, such as
    /// MTCNN's P-Net) for pictures of that size: every layer's shape and the session's buffers
    /// follow from it, so a caller keeps one model per size it meets (a video's pyramid levels
    /// never change) and allocates nothing per frame. Fixed sizes in the file are kept as they are.
    public static func load(path: String, inputSize: ImageSize? = nil) throws -> KerasModel {
        do {
            return try loadModel(path: path, inputSize: inputSize)
        } catch let error as HDF5Error {
            throw KerasModelError.hdf5(error)
        }
    }

    private static func loadModel(path: String, inputSize: ImageSize?) throws -> KerasModel {
        let file = try HDF5File(path: path)
        let root = try file.root
        guard let json = try root.stringAttribute("model_config") else {
            throw KerasModelError.noModelConfig(file: path)
        }
        let weightsGroup = root.contains("model_weights") ? try root.group("model_weights") : nil
        let kerasVersion = try (root.stringAttribute("keras_version") ?? weightsGroup?.stringAttribute("keras_version"))
        let backend = try (root.stringAttribute("backend") ?? weightsGroup?.stringAttribute("backend"))
        let kerasMajor = kerasVersion.flatMap { $0.split(separator: ".").first.flatMap { Int($0) } } ?? 2

        let config = try ModelConfig.decode(json: json, file: path)
        let graph = try Graph(config, file: path)
        let loader = WeightLoader(file: file)

        var warnings: [String] = graph.unused.map { "layer '\($0)' does not lead to the output and is ignored" }
        var steps: [Step] = []
        var summaries: [(index: Int, summary: LayerSummary)] = []
        var totalParameters = 0
        var multiplyAdds = 0
        var activations = 0
        for node in graph.nodes {
            let inputShapes = node.inputs.map { steps[$0].layer.outputShape }
            let context = LayerContext(file: path, layer: node.config, inputShapes: inputShapes,
                                       kerasMajor: kerasMajor, weightLoader: loader, inputSize: inputSize)
            let layer = try LayerRegistry.make(context)
            warnings += context.warnings
            totalParameters += context.parametersRead
            guard totalParameters <= maxParameters else {
                throw KerasModelError.tooLarge(file: path, layer: node.config.name, what: "total parameter count",
                                               value: totalParameters, limit: maxParameters)
            }
            // What a session will allocate per sample, bounded as the layers are built.
            if !layer.isAlias {
                activations += Shape.count(layer.outputShape) ?? maxActivations + 1
                guard activations <= maxActivations else {
                    throw KerasModelError.tooLarge(file: path, layer: node.config.name, what: "activation memory per sample (floats, all layers so far)",
                                                   value: activations, limit: maxActivations)
                }
            }
            let (sum, overflow) = multiplyAdds.addingReportingOverflow(layer.multiplyAdds)
            multiplyAdds = overflow ? Int.max : sum
            steps.append(Step(layer: layer, inputs: node.inputs, name: node.config.name, className: node.config.className))
            summaries.append((node.kerasIndex, LayerSummary(
                name: node.config.name, className: node.config.className, outputShape: layer.outputShape,
                parameterCount: context.parametersRead, inboundLayers: node.config.inbound)))
        }
        steps = Fusion.apply(to: steps, output: graph.outputIndex)
        return KerasModel(
            path: path, inputShape: steps[0].layer.outputShape, outputShape: steps[graph.outputIndex].layer.outputShape,
            kerasVersion: kerasVersion, backend: backend, warnings: warnings,
            layers: summaries.sorted { $0.index < $1.index }.map(\.summary),
            steps: steps, outputStep: graph.outputIndex, multiplyAdds: multiplyAdds)
    }

    /// A session with buffers for up to `maxBatch` samples per internal pass (larger batches are
    /// run in several passes).
    public func makeSession(maxBatch: Int) -> InferenceSession {
        InferenceSession(model: self, maxBatch: maxBatch)
    }

    /// A session whose buffers live in `arena`, which other sessions use too: they must never
    /// run at the same time. `arena` must be at least `arenaFloats(maxBatch:)`.
    public func makeSession(maxBatch: Int, arena: SessionArena) -> InferenceSession {
        InferenceSession(model: self, maxBatch: maxBatch, arena: arena)
    }

    /// Floats of arena a session with `maxBatch` needs.
    public func arenaFloats(maxBatch: Int) -> Int {
        InferenceSession.arenaFloats(model: self, maxBatch: maxBatch)
    }
}
