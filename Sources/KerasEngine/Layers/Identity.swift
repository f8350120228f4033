/// Layers whose output is their input's memory, unchanged: the model input, Dropout and the
/// other noise/regularization layers (inactive at inference), Flatten and Reshape (NHWC
/// row-major data does not move), and layers folded into their producer at load.
final class AliasLayer: Layer {
    let outputShape: [Int]
    var isAlias: Bool { true }

    init(outputShape: [Int]) {
        self.outputShape = outputShape
    }

    func forward(_ inputs: [UnsafePointer<Float>], output: UnsafeMutablePointer<Float>, batch: Int,
                 scratch: UnsafeMutablePointer<Float>) {}
}

/// Keras `InputLayer`: the model input. Its shape comes from `batch_input_shape` (Keras 2),
/// `batch_shape` (Keras 3) or `input_shape`; every dimension but the batch must be known, except
/// an image's height and width when the model is loaded for a given size.
final class InputLayerNode: Layer {
    let outputShape: [Int]

    init(_ context: LayerContext) throws {
        guard context.inputShapes.isEmpty else { throw context.shapeError("an input layer cannot have inputs") }
        var dims: [Any]
        if let full = (context.value("batch_input_shape") ?? context.value("batch_shape")) as? [Any] {
            guard !full.isEmpty else { throw context.invalid("empty input shape") }
            dims = Array(full.dropFirst())
        } else if let shape = context.value("input_shape") as? [Any] {
            dims = shape
        } else {
            throw context.invalid("no batch_input_shape, batch_shape or input_shape")
        }
        guard (1...3).contains(dims.count) else {
            throw context.unsupported("input of rank \(dims.count + 1) (only images (H, W, C) or flat vectors)")
        }
        var shape: [Int] = []
        for (axis, dim) in dims.enumerated() {
            var value = LayerContext.integer(dim)
            // A fully convolutional model (any height and width) is planned for one size at a
            // time: the caller's, which fills the variable height and width of an image input.
            if value == nil, dims.count == 3, axis < 2, let size = context.inputSize {
                value = axis == 0 ? size.height : size.width
            }
            guard let value else {
                throw context.unsupported("input shape with a variable dimension (\(dims.map { "\($0)" }.joined(separator: ", "))); the engine needs fixed sizes, or an image size to plan for (KerasModel.load(path:inputSize:))")
            }
            guard value >= 1, value <= 1 << 16 else { throw context.invalid("input dimension \(value) is out of range") }
            shape.append(value)
        }
        outputShape = try context.checkedShape(shape)
    }

    func forward(_ inputs: [UnsafePointer<Float>], output: UnsafeMutablePointer<Float>, batch: Int,
                 scratch: UnsafeMutablePointer<Float>) {}
}
