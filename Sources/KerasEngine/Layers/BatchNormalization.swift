import KerasKernels
import FoundationEssentials

/// Keras `BatchNormalization` at inference: `y = (x - mean) / sqrt(var + epsilon) * gamma + beta`
/// over the last axis, held as one scale and shift per channel. The loader folds it into the
/// preceding convolution or dense layer when it can, so this standalone path is rare.
final class BatchNormalizationLayer: Layer {
    let outputShape: [Int]
    let scale: [Float]
    let shift: [Float]

    init(_ context: LayerContext) throws {
        let input = try context.singleInput()
        guard let channels = input.last else { throw context.shapeError("expects an input with at least one axis") }
        // axis: -1, the last index, or [last] (tf.keras writes a list).
        let rawAxis = context.value("axis") ?? -1
        let axes: [Int]
        if let single = LayerContext.integer(rawAxis) {
            axes = [single]
        } else if let list = rawAxis as? [Any], let values = Optional(list.compactMap(LayerContext.integer)), values.count == list.count {
            axes = values
        } else {
            throw context.invalid("'axis' is not an integer or a list of integers")
        }
        guard axes.count == 1, try context.axis(axes[0], rank: input.count) == input.count - 1 else {
            throw context.unsupported("normalizing over axis \(axes) (only the last, channels axis)")
        }
        let epsilon = try context.double("epsilon", default: 1e-3)
        guard epsilon >= 0 else { throw context.invalid("'epsilon' is negative") }
        let center = try context.bool("center", default: true)
        let useScale = try context.bool("scale", default: true)
        var expected: [(name: String, shape: [Int])] = []
        if useScale { expected.append(("gamma", [channels])) }
        if center { expected.append(("beta", [channels])) }
        expected.append(("moving_mean", [channels]))
        expected.append(("moving_variance", [channels]))
        var weights = try context.weights(expected)
        let variance = weights.removeLast()
        let mean = weights.removeLast()
        let beta = center ? weights.removeLast() : [Float](repeating: 0, count: channels)
        let gamma = useScale ? weights.removeLast() : [Float](repeating: 1, count: channels)
        var scale = [Float](repeating: 0, count: channels)
        var shift = [Float](repeating: 0, count: channels)
        for c in 0..<channels {
            let s = Double(gamma[c]) / (Double(variance[c]) + epsilon).squareRoot()
            scale[c] = Float(s)
            shift[c] = Float(Double(beta[c]) - Double(mean[c]) * s)
        }
        self.scale = scale
        self.shift = shift
        outputShape = input
    }

    func forward(_ inputs: [UnsafePointer<Float>], output: UnsafeMutablePointer<Float>, batch: Int,
                 scratch: UnsafeMutablePointer<Float>) {
        let channels = scale.count
        let count = batch * (Shape.count(outputShape) ?? 0)
        output.update(from: inputs[0], count: count)
        applyChannelAffine(output, rows: count / channels, channels: channels, scale: scale, shift: shift)
    }
}
