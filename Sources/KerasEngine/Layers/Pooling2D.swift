import KerasKernels

/// Keras `MaxPooling2D` and `AveragePooling2D` over NHWC: each output pixel is the maximum or
/// mean of its window, per channel. With "same" padding, TensorFlow's average counts only the
/// pixels inside the image, and the maximum ignores the padding.
final class Pooling2DLayer: Layer {
    enum Kind { case max, average }
    let kind: Kind
    let outputShape: [Int]
    let geometry: WindowGeometry

    init(_ context: LayerContext, kind: Kind) throws {
        try context.requireChannelsLast()
        let input = try context.singleInput(rank: 3)
        let pool = try context.pair("pool_size", default: (2, 2), range: 1...1024)
        let strides = try context.pair("strides", default: pool, range: 1...1024)
        let same = try context.paddingIsSame()
        self.kind = kind
        geometry = WindowGeometry(input: input, kernel: pool, strides: strides, same: same)
        guard geometry.paddedCount != nil else {
            throw KerasModelError.tooLarge(file: context.file, layer: context.name, what: "padded input", value: Int.max, limit: Shape.maxElements)
        }
        outputShape = try context.checkedShape([geometry.outputHeight, geometry.outputWidth, input[2]])
    }

    func scratchCount(batch: Int) -> Int { batch * (geometry.paddedCount ?? 0) }

    func forward(_ inputs: [UnsafePointer<Float>], output: UnsafeMutablePointer<Float>, batch: Int,
                 scratch: UnsafeMutablePointer<Float>) {
        pool2D(inputs[0], geometry: geometry, batch: batch, max: kind == .max, into: output, scratch: scratch)
    }
}
