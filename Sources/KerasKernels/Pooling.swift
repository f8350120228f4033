/// Max or average pooling, NHWC. `scratch` holds `batch * geometry.paddedCount` floats: the
/// input is padded with -infinity for a maximum (padding never wins) and zeros for a mean, which
/// is then divided by the number of pixels of its window inside the image (TensorFlow's rule).
public func pool2D(_ input: UnsafePointer<Float>, geometry: WindowGeometry, batch: Int, max isMax: Bool,
                   into output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
    let padded = padInput(input, geometry: geometry, batch: batch, fill: isMax ? -.infinity : 0, scratch: scratch)
    let g = geometry.padded
    let channels = g.channels
    var out = output
    for sample in 0..<batch {
        for oy in 0..<g.outputHeight {
            let top = padded + (sample * g.inputPixels + oy * g.strideY * g.inputWidth) * channels
            var c = 0
            while c + WideVector.scalarCount <= channels {
                poolRow(WideVector.self, top: top + c, geometry: g, max: isMax, out: out + c)
                c += WideVector.scalarCount
            }
            while c + 4 <= channels {
                poolRow(SIMD4<Float>.self, top: top + c, geometry: g, max: isMax, out: out + c)
                c += 4
            }
            for channel in c..<channels {
                for ox in 0..<g.outputWidth {
                    var row = top + ox * g.strideX * channels + channel
                    var acc: Float = isMax ? -.infinity : 0
                    for _ in 0..<g.kernelHeight {
                        for kx in 0..<g.kernelWidth { acc = isMax ? Swift.max(acc, row[kx * channels]) : acc + row[kx * channels] }
                        row += g.inputWidth * channels
                    }
                    out[ox * channels + channel] = acc
                }
            }
            if !isMax {
                // Pixels of each window inside the unpadded image.
                let y0 = oy * geometry.strideY - geometry.padTop
                let rows = Swift.min(y0 + geometry.kernelHeight, geometry.inputHeight) - Swift.max(y0, 0)
                for ox in 0..<g.outputWidth {
                    let x0 = ox * geometry.strideX - geometry.padLeft
                    let columns = Swift.min(x0 + geometry.kernelWidth, geometry.inputWidth) - Swift.max(x0, 0)
                    let inverse = 1 / Float(Swift.max(rows * columns, 1))
                    let o = out + ox * channels
                    for channel in 0..<channels { o[channel] *= inverse }
                }
            }
            out += g.outputWidth * channels
        }
    }
}

/// One output row's maxima or sums, for the channels of one vector from `top` (the row's first
/// input row at the block's first channel).
@inline(__always)
private func poolRow<V: SIMD>(_: V.Type, top: UnsafePointer<Float>, geometry g: WindowGeometry, max isMax: Bool,
                              out: UnsafeMutablePointer<Float>) where V.Scalar == Float {
    let channels = g.channels
    let rowStep = g.inputWidth * channels
    let pixelStep = g.strideX * channels
    @inline(__always) func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
    @inline(__always) func combine(_ a: V, _ b: V) -> V { isMax ? simdMax(a, b) : a + b }
    for ox in 0..<g.outputWidth {
        var row = top + ox * pixelStep
        var acc = V(repeating: isMax ? -.infinity : 0)
        for _ in 0..<g.kernelHeight {
            var p = row
            for _ in 0..<g.kernelWidth {
                acc = combine(acc, load(p))
                p += channels
            }
            row += rowStep
        }
        UnsafeMutableRawPointer(out + ox * channels).storeBytes(of: acc, as: V.self)
    }
}
