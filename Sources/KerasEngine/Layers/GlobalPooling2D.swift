/// Keras `GlobalAveragePooling2D` and `GlobalMaxPooling2D`: the mean or maximum of each
/// channel over all pixels; output `(C,)`, or `(1, 1, C)` with `keepdims`.
final class GlobalPooling2DLayer: Layer {
    let outputShape: [Int]
    let isMax: Bool
    let pixels: Int
    let channels: Int

    init(_ context: LayerContext, max: Bool) throws {
        try context.requireChannelsLast()
        let input = try context.singleInput(rank: 3)
        isMax = max
        pixels = input[0] * input[1]
        channels = input[2]
        outputShape = try context.bool("keepdims", default: false) ? [1, 1, channels] : [channels]
    }

    func forward(_ inputs: [UnsafePointer<Float>], output: UnsafeMutablePointer<Float>, batch: Int,
                 scratch: UnsafeMutablePointer<Float>) {
        for sample in 0..<batch {
            let image = inputs[0] + sample * pixels * channels
            let out = output + sample * channels
            out.update(from: image, count: channels)
            for pixel in 1..<Swift.max(pixels, 1) {
                let p = image + pixel * channels
                if isMax {
                    for c in 0..<channels where p[c] > out[c] || p[c].isNaN { out[c] = p[c] }
                } else {
                    for c in 0..<channels { out[c] += p[c] }
                }
            }
            if !isMax {
                let inverse = 1 / Float(pixels)
                for c in 0..<channels { out[c] *= inverse }
            }
        }
    }
}
