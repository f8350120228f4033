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

/// Max or average pooling, NHWC, one output pixel at a time, eight channels per step.
func pool2D(_ input: UnsafePointer<Float>, geometry g: WindowGeometry, batch: Int, max isMax: Bool,
            into output: UnsafeMutablePointer<Float>) {
    let channels = g.channels
    let vectorChannels = channels & ~7
    var out = output
    for sample in 0..<batch {
        let image = input + sample * g.inputPixels * channels
        for oy in 0..<g.outputHeight {
            let y0 = oy * g.strideY - g.padTop
            let yStart = Swift.max(y0, 0), yEnd = Swift.max(Swift.min(y0 + g.kernelHeight, g.inputHeight), yStart)
            for ox in 0..<g.outputWidth {
                let x0 = ox * g.strideX - g.padLeft
                let xStart = Swift.max(x0, 0), xEnd = Swift.max(Swift.min(x0 + g.kernelWidth, g.inputWidth), xStart)
                let inverse = 1 / Float(Swift.max((yEnd - yStart) * (xEnd - xStart), 1))
                var c = 0
                while c < vectorChannels {
                    var acc = SIMD8<Float>(repeating: isMax ? -.infinity : 0)
                    for y in yStart..<yEnd {
                        var pixel = image + (y * g.inputWidth + xStart) * channels + c
                        for _ in xStart..<xEnd {
                            let v = UnsafeRawPointer(pixel).loadUnaligned(as: SIMD8<Float>.self)
                            if isMax { acc = simdMax(acc, v) } else { acc += v }
                            pixel += channels
                        }
                    }
                    if !isMax { acc *= inverse }
                    UnsafeMutableRawPointer(out + c).storeBytes(of: acc, as: SIMD8<Float>.self)
                    c += 8
                }
                while c < channels {
                    var acc: Float = isMax ? -.infinity : 0
                    for y in yStart..<yEnd {
                        for x in xStart..<xEnd {
                            let v = image[(y * g.inputWidth + x) * channels + c]
                            if isMax { acc = Swift.max(acc, v) } else { acc += v }
                        }
                    }
                    out[c] = isMax ? acc : acc * inverse
                    c += 1
                }
                out += channels
            }
        }
    }
}
