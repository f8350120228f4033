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
        outputShape = try context.checkedShape([geometry.outputHeight, geometry.outputWidth, input[2]])
    }

    func forward(_ inputs: [UnsafePointer<Float>], output: UnsafeMutablePointer<Float>, batch: Int,
                 scratch: UnsafeMutablePointer<Float>) {
        pool2D(inputs[0], geometry: geometry, batch: batch, max: kind == .max, into: output)
    }
}

/// Max or average pooling, NHWC, one output pixel at a time (channels innermost, contiguous).
func pool2D(_ input: UnsafePointer<Float>, geometry g: WindowGeometry, batch: Int, max isMax: Bool,
            into output: UnsafeMutablePointer<Float>) {
    let channels = g.channels
    var out = output
    for sample in 0..<batch {
        let image = input + sample * g.inputPixels * channels
        for oy in 0..<g.outputHeight {
            let y0 = oy * g.strideY - g.padTop
            let yStart = Swift.max(y0, 0), yEnd = Swift.min(y0 + g.kernelHeight, g.inputHeight)
            for ox in 0..<g.outputWidth {
                let x0 = ox * g.strideX - g.padLeft
                let xStart = Swift.max(x0, 0), xEnd = Swift.min(x0 + g.kernelWidth, g.inputWidth)
                if isMax {
                    out.update(repeating: -.infinity, count: channels)
                } else {
                    out.update(repeating: 0, count: channels)
                }
                for y in yStart..<Swift.max(yEnd, yStart) {
                    for x in xStart..<Swift.max(xEnd, xStart) {
                        let pixel = image + (y * g.inputWidth + x) * channels
                        if isMax {
                            for c in 0..<channels where pixel[c] > out[c] || pixel[c].isNaN { out[c] = pixel[c] }
                        } else {
                            for c in 0..<channels { out[c] += pixel[c] }
                        }
                    }
                }
                if !isMax {
                    let count = Swift.max((yEnd - yStart) * (xEnd - xStart), 1)
                    let inverse = 1 / Float(count)
                    for c in 0..<channels { out[c] *= inverse }
                }
                out += channels
            }
        }
    }
}
