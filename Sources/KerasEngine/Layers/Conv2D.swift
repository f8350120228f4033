import KerasKernels

/// Keras `Conv2D`: `y[b, oy, ox, o] = act(sum_{ky, kx, i} x[b, oy*s - pad + ky*d, ox*s - pad + kx*d, g*I + i]
/// * W[ky, kx, i, o] + bias[o])` with groups `g`, NHWC, TensorFlow's valid/same padding.
///
/// Computed as an implicit GEMM (rows of A read straight from the input, padded first when a
/// window reaches outside it); a 1x1, stride-1 convolution is a plain GEMM on the input; a 3x3,
/// stride-1 one with enough channels by Winograd's F(2x2, 3x3) or F(4x4, 3x3) (`WinogradWeights.applies`).
/// Weights are packed at load (one `PackedMatrix` per group, or the Winograd transform).
final class Conv2DLayer: FusableLayer {
    let outputShape: [Int]
    let geometry: WindowGeometry
    let groups: Int
    let groupInputs: Int
    let groupOutputs: Int
    private(set) var packed: [PackedMatrix]
    /// The kernel in the Winograd domain, when F(2x2, 3x3) applies; `packed` is then empty.
    private(set) var winograd: WinogradWeights?
    var activation: Activation
    var postAffine: (scale: [Float], shift: [Float])? {
        didSet {
            guard let postAffine else { return }
            winograd?.setPostAffine(scale: postAffine.scale, shift: postAffine.shift)
            for group in 0..<packed.count {
                let range = (group * groupOutputs)..<((group + 1) * groupOutputs)
                packed[group].setPostAffine(scale: Array(postAffine.scale[range]), shift: Array(postAffine.shift[range]))
            }
        }
    }

    var outputChannels: Int { outputShape[2] }
    var multiplyAdds: Int { geometry.outputPixels * outputChannels * geometry.kernelHeight * geometry.kernelWidth * groupInputs }
    private var isPointwise: Bool { Conv2DLayer.isPointwise(geometry) }

    /// A 1x1, stride-1, unpadded convolution: a plain GEMM on the input.
    private static func isPointwise(_ g: WindowGeometry) -> Bool {
        g.kernelHeight == 1 && g.kernelWidth == 1 && g.strideY == 1 && g.strideX == 1 && !g.isPadded
    }

    init(_ context: LayerContext) throws {
        try context.requireChannelsLast()
        let input = try context.singleInput(rank: 3)
        let filters = try context.int("filters", range: 1...(1 << 16))
        let kernel = try context.pair("kernel_size", range: 1...1024)
        let strides = try context.pair("strides", default: (1, 1), range: 1...1024)
        let dilation = try context.pair("dilation_rate", default: (1, 1), range: 1...1024)
        let groups = try context.int("groups", default: 1, range: 1...(1 << 16))
        let same = try context.paddingIsSame()
        let useBias = try context.bool("use_bias", default: true)
        activation = try context.activation()
        guard input[2] % groups == 0, filters % groups == 0 else {
            throw context.shapeError("\(input[2]) input channels and \(filters) filters are not both divisible by groups=\(groups)")
        }
        self.groups = groups
        groupInputs = input[2] / groups
        groupOutputs = filters / groups
        geometry = WindowGeometry(input: input, kernel: kernel, strides: strides, dilation: dilation, same: same)
        outputShape = try context.checkedShape([geometry.outputHeight, geometry.outputWidth, filters])
        guard Shape.count([kernel.0, kernel.1, groupInputs, filters]) != nil, geometry.paddedCount != nil else {
            throw KerasModelError.tooLarge(file: context.file, layer: context.name, what: "kernel size", value: Int.max, limit: Shape.maxElements)
        }

        var expected: [(name: String, shape: [Int])] = [("kernel", [kernel.0, kernel.1, groupInputs, filters])]
        if useBias { expected.append(("bias", [filters])) }
        let weights = try context.weights(expected)
        let kernelValues = weights[0]
        let bias = useBias ? weights[1] : nil
        let k = kernel.0 * kernel.1 * groupInputs
        let groupOutputs = self.groupOutputs
        // Tap pairs need one kernel row's taps contiguous: all channels, no dilation across.
        let rowTaps = !Conv2DLayer.isPointwise(geometry) && groups == 1 && dilation.1 == 1 ? kernel.1 * groupInputs : nil
        if WinogradWeights.applies(to: geometry, groups: groups, filters: filters) {
            let inputs = groupInputs
            winograd = WinogradWeights(inputChannels: inputs, filters: filters, bias: bias,
                                       outputTile: WinogradWeights.preferredTile(for: geometry)) { ky, kx, i, o in
                kernelValues[((ky * 3 + kx) * inputs + i) * filters + o]
            }
            packed = []
            return
        }
        packed = (0..<groups).map { group in
            let groupBias = bias.map { Array($0[(group * groupOutputs)..<((group + 1) * groupOutputs)]) }
            // Keras kernel (kh, kw, in, out) flattened: row = (ky * kw + kx) * in + i, column o.
            return PackedMatrix(k: k, n: groupOutputs, bias: groupBias, kernelRowTaps: rowTaps) { row, column in
                kernelValues[row * filters + group * groupOutputs + column]
            }
        }
    }

    func foldAffine(scale: [Float], shift: [Float]) {
        winograd?.scaleColumns(scale: scale, shift: shift)
        for group in 0..<packed.count {
            let range = (group * groupOutputs)..<((group + 1) * groupOutputs)
            packed[group].scaleColumns(scale: Array(scale[range]), shift: Array(shift[range]))
        }
    }

    func scratchCount(batch: Int) -> Int { batch * (geometry.paddedCount ?? 0) + (winograd?.scratchCount(geometry: geometry.padded, batch: batch) ?? 0) }

    func forward(_ inputs: [UnsafePointer<Float>], output: UnsafeMutablePointer<Float>, batch: Int,
                 scratch: UnsafeMutablePointer<Float>) {
        let input = padInput(inputs[0], geometry: geometry, batch: batch, fill: 0, scratch: scratch)
        let padded = geometry.padded
        let rows = batch * geometry.outputPixels
        let channels = outputChannels
        let epilogue = gemmEpilogue
        if let winograd {
            winogradConvolution(input, geometry: padded, batch: batch, weights: winograd, output: output, ldc: channels,
                                epilogue: epilogue, scratch: scratch + batch * (geometry.paddedCount ?? 0))
        } else if isPointwise {
            for group in 0..<groups {
                gemm(m: rows, a: input + group * groupInputs, lda: geometry.channels, b: packed[group],
                     c: output + group * groupOutputs, ldc: channels, epilogue: epilogue)
            }
        } else {
            for group in 0..<groups {
                implicitGEMMConvolution(input, geometry: padded, channelOffset: group * groupInputs, groupChannels: groupInputs,
                                        batch: batch, b: packed[group], output: output + group * groupOutputs, ldc: channels,
                                        epilogue: epilogue)
            }
        }
        applyEpilogue(output, rows: rows, done: epilogue)
    }
}

extension FusableLayer {
    /// What `gemm` can apply while storing: a ReLU (or nothing), then the post-activation
    /// affine. Any other activation is applied in a second pass, and the affine after it.
    var gemmEpilogue: GEMMEpilogue {
        let simple = activation == .relu || activation == .linear
        return GEMMEpilogue(relu: activation == .relu, affine: simple && postAffine != nil)
    }

    /// The part of the activation and post-activation affine that `done` did not apply, over
    /// `rows` rows of `outputChannels`.
    func applyEpilogue(_ output: UnsafeMutablePointer<Float>, rows: Int, done: GEMMEpilogue) {
        if !(done.relu && activation == .relu) { activation.apply(output, rows: rows, width: outputChannels) }
        if let postAffine, !done.affine {
            applyChannelAffine(output, rows: rows, channels: outputChannels, scale: postAffine.scale, shift: postAffine.shift)
        }
    }
}

/// x[r, c] = x[r, c] * scale[c] + shift[c], in place.
func applyChannelAffine(_ data: UnsafeMutablePointer<Float>, rows: Int, channels: Int, scale: [Float], shift: [Float]) {
    scale.withUnsafeBufferPointer { scale in
        shift.withUnsafeBufferPointer { shift in
            for row in 0..<rows {
                let p = data + row * channels
                for c in 0..<channels { p[c] = p[c] * scale[c] + shift[c] }
            }
        }
    }
}
