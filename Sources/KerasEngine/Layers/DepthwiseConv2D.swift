import KerasKernels

/// Keras `DepthwiseConv2D`: each input channel convolved with its own `depth_multiplier`
/// kernels; kernel `(kh, kw, C, M)`, output channels `C * M` (channel c's m-th at c*M + m).
final class DepthwiseConv2DLayer: FusableLayer {
    let outputShape: [Int]
    let geometry: WindowGeometry
    let multiplier: Int
    /// `(kh, kw, C*M)` flattened, scaled by any folded batch normalization.
    private(set) var kernel: [Float]
    private(set) var bias: [Float]
    var activation: Activation
    var postAffine: (scale: [Float], shift: [Float])?

    var outputChannels: Int { outputShape[2] }
    var multiplyAdds: Int { geometry.outputPixels * outputChannels * geometry.kernelHeight * geometry.kernelWidth }

    init(_ context: LayerContext) throws {
        try context.requireChannelsLast()
        let input = try context.singleInput(rank: 3)
        let kernelSize = try context.pair("kernel_size", range: 1...1024)
        let strides = try context.pair("strides", default: (1, 1), range: 1...1024)
        let dilation = try context.pair("dilation_rate", default: (1, 1), range: 1...1024)
        multiplier = try context.int("depth_multiplier", default: 1, range: 1...(1 << 16))
        let same = try context.paddingIsSame()
        let useBias = try context.bool("use_bias", default: true)
        activation = try context.activation()
        geometry = WindowGeometry(input: input, kernel: kernelSize, strides: strides, dilation: dilation, same: same)
        guard let channels = input[2].times(multiplier), Shape.count([kernelSize.0, kernelSize.1, channels]) != nil,
              geometry.paddedCount != nil else {
            throw KerasModelError.tooLarge(file: context.file, layer: context.name, what: "depthwise kernel size", value: Int.max, limit: Shape.maxElements)
        }
        outputShape = try context.checkedShape([geometry.outputHeight, geometry.outputWidth, channels])
        var expected: [(name: String, shape: [Int])] = [("depthwise_kernel", [kernelSize.0, kernelSize.1, input[2], multiplier])]
        if useBias { expected.append(("bias", [channels])) }
        let weights = try context.weights(expected)
        kernel = weights[0]
        bias = useBias ? weights[1] : [Float](repeating: 0, count: channels)
    }

    func foldAffine(scale: [Float], shift: [Float]) {
        let channels = outputChannels
        for index in kernel.indices { kernel[index] *= scale[index % channels] }
        for c in 0..<channels { bias[c] = bias[c] * scale[c] + shift[c] }
    }

    func scratchCount(batch: Int) -> Int { batch * (geometry.paddedCount ?? 0) }

    /// A padded input is copied whole to scratch before the first output (`padInput`).
    var runsInPlace: Bool { geometry.isPadded }

    func forward(_ inputs: [UnsafePointer<Float>], output: UnsafeMutablePointer<Float>, batch: Int,
                 scratch: UnsafeMutablePointer<Float>) {
        let input = padInput(inputs[0], geometry: geometry, batch: batch, fill: 0, scratch: scratch)
        kernel.withUnsafeBufferPointer { kernel in
            bias.withUnsafeBufferPointer { bias in
                guard let taps = kernel.baseAddress else { return }
                depthwiseConv2D(input, geometry: geometry.padded, multiplier: multiplier, rows: 0..<(batch * geometry.outputHeight),
                                kernel: taps, bias: bias.baseAddress, into: output)
            }
        }
        applyEpilogue(output, rows: batch * geometry.outputPixels, done: GEMMEpilogue())
    }
}

/// Keras `SeparableConv2D`: a depthwise convolution (no bias) followed by a 1x1 convolution
/// with bias and activation. The depthwise result goes to scratch, the 1x1 is a GEMM.
final class SeparableConv2DLayer: FusableLayer {
    let outputShape: [Int]
    let geometry: WindowGeometry
    let multiplier: Int
    let depthwiseKernel: [Float]
    private(set) var pointwise: PackedMatrix
    var activation: Activation
    var postAffine: (scale: [Float], shift: [Float])? {
        didSet { if let postAffine { pointwise.setPostAffine(scale: postAffine.scale, shift: postAffine.shift) } }
    }

    var outputChannels: Int { outputShape[2] }
    private var middleChannels: Int { geometry.channels * multiplier }
    var multiplyAdds: Int {
        geometry.outputPixels * middleChannels * (geometry.kernelHeight * geometry.kernelWidth + outputChannels)
    }

    init(_ context: LayerContext) throws {
        try context.requireChannelsLast()
        let input = try context.singleInput(rank: 3)
        let filters = try context.int("filters", range: 1...(1 << 16))
        let kernelSize = try context.pair("kernel_size", range: 1...1024)
        let strides = try context.pair("strides", default: (1, 1), range: 1...1024)
        let dilation = try context.pair("dilation_rate", default: (1, 1), range: 1...1024)
        multiplier = try context.int("depth_multiplier", default: 1, range: 1...(1 << 16))
        let same = try context.paddingIsSame()
        let useBias = try context.bool("use_bias", default: true)
        activation = try context.activation()
        geometry = WindowGeometry(input: input, kernel: kernelSize, strides: strides, dilation: dilation, same: same)
        guard let middle = input[2].times(multiplier), Shape.count([kernelSize.0, kernelSize.1, middle]) != nil,
              Shape.count([middle, filters]) != nil, geometry.paddedCount != nil else {
            throw KerasModelError.tooLarge(file: context.file, layer: context.name, what: "kernel size", value: Int.max, limit: Shape.maxElements)
        }
        outputShape = try context.checkedShape([geometry.outputHeight, geometry.outputWidth, filters])
        _ = try context.checkedShape([geometry.outputHeight, geometry.outputWidth, middle])
        var expected: [(name: String, shape: [Int])] = [
            ("depthwise_kernel", [kernelSize.0, kernelSize.1, input[2], multiplier]),
            ("pointwise_kernel", [1, 1, middle, filters]),
        ]
        if useBias { expected.append(("bias", [filters])) }
        let weights = try context.weights(expected)
        depthwiseKernel = weights[0]
        let pointwiseKernel = weights[1]
        pointwise = PackedMatrix(k: middle, n: filters, bias: useBias ? weights[2] : nil) { row, column in
            pointwiseKernel[row * filters + column]
        }
    }

    func foldAffine(scale: [Float], shift: [Float]) {
        pointwise.scaleColumns(scale: scale, shift: shift)
    }

    /// Output rows per tile: the depthwise result of a tile (about 256 pixels) stays in L1 for
    /// the pointwise GEMM that follows.
    private var tileRows: Int { max(1, 256 / geometry.outputWidth) }

    private var tileCount: Int { tileRows * geometry.outputWidth * middleChannels }

    /// The depthwise tile, then the padded input.
    func scratchCount(batch: Int) -> Int { tileCount + batch * (geometry.paddedCount ?? 0) }

    func forward(_ inputs: [UnsafePointer<Float>], output: UnsafeMutablePointer<Float>, batch: Int,
                 scratch: UnsafeMutablePointer<Float>) {
        let epilogue = gemmEpilogue
        let totalRows = batch * geometry.outputHeight
        let width = geometry.outputWidth
        let tile = scratch
        let input = padInput(inputs[0], geometry: geometry, batch: batch, fill: 0, scratch: scratch + tileCount)
        let padded = geometry.padded
        depthwiseKernel.withUnsafeBufferPointer { kernel in
            guard let taps = kernel.baseAddress else { return }
            var first = 0
            while first < totalRows {
                let count = min(tileRows, totalRows - first)
                depthwiseConv2D(input, geometry: padded, multiplier: multiplier, rows: first..<(first + count),
                                kernel: taps, bias: nil, into: tile)
                gemm(m: count * width, a: tile, lda: middleChannels, b: pointwise,
                     c: output + first * width * outputChannels, ldc: outputChannels, epilogue: epilogue)
                first += count
            }
        }
        let rows = batch * geometry.outputPixels
        applyEpilogue(output, rows: rows, done: epilogue)
    }
}
