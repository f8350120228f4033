import KerasKernels

/// Layers that apply one function element-wise (or, for softmax, along the channel axis):
/// `Activation`, `ReLU`, `LeakyReLU`, `ELU`, `Softmax`. The loader folds them into the preceding
/// convolution or dense layer when that layer is their only input and has no activation.
final class ActivationLayer: Layer {
    let outputShape: [Int]
    let activation: Activation

    init(_ context: LayerContext) throws {
        outputShape = try context.singleInput()
        switch context.className {
        case "Activation":
            activation = try context.activation()
        case "ReLU":
            let maxValue = context.value("max_value") == nil ? Float.infinity : Float(try context.double("max_value"))
            let slope = Float(try context.double("negative_slope", default: 0))
            let threshold = Float(try context.double("threshold", default: 0))
            guard maxValue >= 0, slope >= 0 else { throw context.invalid("max_value and negative_slope must not be negative") }
            activation = maxValue.isInfinite && slope == 0 && threshold == 0
                ? .relu : .clippedRelu(maxValue: maxValue, negativeSlope: slope, threshold: threshold)
        case "LeakyReLU":
            // tf.keras spells it alpha, Keras 3 negative_slope; both default to 0.3.
            let key = context.value("negative_slope") != nil ? "negative_slope" : "alpha"
            activation = .leakyRelu(slope: Float(try context.double(key, default: 0.3)))
        case "ELU":
            activation = .elu(alpha: Float(try context.double("alpha", default: 1)))
        case "Softmax":
            let rawAxis = context.value("axis") ?? -1
            let axis: Int
            if let single = LayerContext.integer(rawAxis) {
                axis = single
            } else if let list = rawAxis as? [Any], list.count == 1, let single = LayerContext.integer(list[0]) {
                axis = single
            } else {
                throw context.invalid("'axis' is not an integer")
            }
            guard try context.axis(axis, rank: outputShape.count) == outputShape.count - 1 else {
                throw context.unsupported("softmax over axis \(axis) (only the last axis)")
            }
            activation = .softmax
        default:
            throw context.unsupported("not an activation layer")
        }
    }

    func forward(_ inputs: [UnsafePointer<Float>], output: UnsafeMutablePointer<Float>, batch: Int,
                 scratch: UnsafeMutablePointer<Float>) {
        let width = outputShape[outputShape.count - 1]
        let count = batch * (Shape.count(outputShape) ?? 0)
        output.update(from: inputs[0], count: count)
        activation.apply(output, rows: count / width, width: width)
    }
}

/// Keras `PReLU`: `y = x >= 0 ? x : alpha * x` with a learned `alpha` of the input's shape,
/// size 1 along `shared_axes`.
final class PReLULayer: Layer {
    let outputShape: [Int]
    let alpha: [Float]
    /// Strides of `alpha` for each axis of the input, zero along shared axes.
    private let alphaStrides: [Int]

    init(_ context: LayerContext) throws {
        let input = try context.singleInput()
        var shape = input
        if let raw = context.value("shared_axes") {
            let list: [Any] = (raw as? [Any]) ?? [raw]
            for item in list {
                guard let axis = LayerContext.integer(item) else { throw context.invalid("'shared_axes' is not a list of integers") }
                shape[try context.axis(axis, rank: input.count)] = 1
            }
        }
        alpha = try context.weights([("alpha", shape)])[0]
        outputShape = input
        var strides = [Int](repeating: 0, count: shape.count)
        var step = 1
        for axis in (0..<shape.count).reversed() {
            strides[axis] = shape[axis] == 1 ? 0 : step
            step *= shape[axis]
        }
        alphaStrides = strides
        // Slopes that repeat along a contiguous run of the data: one per channel (shared over
        // height and width, MTCNN's case) or one per value. Other sharings take the general loop.
        let natural = (0..<input.count).map { axis in input[(axis + 1)...].reduce(1, *) }
        if strides == natural {
            period = Shape.count(input)
        } else if strides.dropLast().allSatisfy({ $0 == 0 }), strides.last == 1 {
            period = input.last
        } else {
            period = nil
        }
    }

    /// The slopes' repeat, when they repeat along contiguous values (see `init`).
    private let period: Int?

    func forward(_ inputs: [UnsafePointer<Float>], output: UnsafeMutablePointer<Float>, batch: Int,
                 scratch: UnsafeMutablePointer<Float>) {
        let input = inputs[0]
        let perSample = Shape.count(outputShape) ?? 0
        if let period, period > 0 {
            alpha.withUnsafeBufferPointer {
                Activation.prelu(input, output, count: batch * perSample, alpha: $0.baseAddress!, period: period)
            }
            return
        }
        alpha.withUnsafeBufferPointer { alpha in
            for index in 0..<perSample {
                var rest = index, offset = 0
                for axis in (0..<outputShape.count).reversed() {
                    offset += (rest % outputShape[axis]) * alphaStrides[axis]
                    rest /= outputShape[axis]
                }
                let a = alpha[offset]
                for sample in 0..<batch {
                    let x = input[sample * perSample + index]
                    output[sample * perSample + index] = x >= 0 ? x : a * x
                }
            }
        }
    }
}

/// Keras `Rescaling`: `y = x * scale + offset`, scalars or per channel.
final class RescalingLayer: Layer {
    let outputShape: [Int]
    let scale: [Float]
    let offset: [Float]

    init(_ context: LayerContext) throws {
        outputShape = try context.singleInput()
        let channels = outputShape[outputShape.count - 1]
        func values(_ key: String, _ fallback: Float) throws -> [Float] {
            guard let raw = context.value(key) else { return [Float](repeating: fallback, count: channels) }
            if let number = LayerContext.real(raw), number.isFinite { return [Float](repeating: Float(number), count: channels) }
            if let list = raw as? [Any] {
                let numbers = list.compactMap(LayerContext.real)
                guard numbers.count == list.count, numbers.allSatisfy(\.isFinite) else { throw context.invalid("'\(key)' is not a list of numbers") }
                if numbers.count == 1 { return [Float](repeating: Float(numbers[0]), count: channels) }
                guard numbers.count == channels else {
                    throw context.shapeError("'\(key)' has \(numbers.count) values for \(channels) channels")
                }
                return numbers.map(Float.init)
            }
            throw context.invalid("'\(key)' is not a number")
        }
        scale = try values("scale", 1)
        offset = try values("offset", 0)
    }

    func forward(_ inputs: [UnsafePointer<Float>], output: UnsafeMutablePointer<Float>, batch: Int,
                 scratch: UnsafeMutablePointer<Float>) {
        let count = batch * (Shape.count(outputShape) ?? 0)
        output.update(from: inputs[0], count: count)
        applyChannelAffine(output, rows: count / scale.count, channels: scale.count, scale: scale, shift: offset)
    }
}
