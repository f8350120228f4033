import KerasKernels

/// Keras `Dense`: `y[..., o] = act(sum_i x[..., i] * W[i, o] + bias[o])`. On a flat input that
/// is one row per sample; on an NHWC input (Keras applies Dense to the last axis) one row per
/// pixel. Weights are packed at load for `gemm`.
final class DenseLayer: FusableLayer {
    let outputShape: [Int]
    let inputs: Int
    /// Rows per sample: 1 for flat inputs, H*W for images.
    let rowsPerSample: Int
    private(set) var packed: PackedMatrix
    var activation: Activation
    var postAffine: (scale: [Float], shift: [Float])? {
        didSet { if let postAffine { packed.setPostAffine(scale: postAffine.scale, shift: postAffine.shift) } }
    }

    var outputChannels: Int { outputShape[outputShape.count - 1] }
    var multiplyAdds: Int { rowsPerSample * inputs * outputChannels }

    init(_ context: LayerContext) throws {
        let input = try context.singleInput()
        guard let last = input.last else { throw context.shapeError("expects an input with at least one axis") }
        let units = try context.int("units", range: 1...(1 << 24))
        let useBias = try context.bool("use_bias", default: true)
        activation = try context.activation()
        inputs = last
        rowsPerSample = (Shape.count(input) ?? 0) / max(last, 1)
        outputShape = try context.checkedShape(Array(input.dropLast()) + [units])
        guard Shape.count([last, units]) != nil else {
            throw KerasModelError.tooLarge(file: context.file, layer: context.name, what: "kernel size \(last) x \(units)",
                                           value: last.times(units) ?? Int.max, limit: Shape.maxElements)
        }
        var expected: [(name: String, shape: [Int])] = [("kernel", [last, units])]
        if useBias { expected.append(("bias", [units])) }
        let weights = try context.weights(expected)
        let kernel = weights[0]
        packed = PackedMatrix(k: last, n: units, bias: useBias ? weights[1] : nil) { row, column in
            kernel[row * units + column]
        }
    }

    func foldAffine(scale: [Float], shift: [Float]) {
        packed.scaleColumns(scale: scale, shift: shift)
    }

    func forward(_ inputs: [UnsafePointer<Float>], output: UnsafeMutablePointer<Float>, batch: Int,
                 scratch: UnsafeMutablePointer<Float>) {
        let rows = batch * rowsPerSample
        let epilogue = gemmEpilogue
        gemm(m: rows, a: inputs[0], lda: self.inputs, b: packed, c: output, ldc: outputChannels, epilogue: epilogue)
        applyEpilogue(output, rows: rows, done: epilogue)
    }
}
