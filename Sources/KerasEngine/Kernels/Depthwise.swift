// ----------------------------------------------------------------------------
// Depthwise convolution, NHWC: output channel c * M + m is input channel c filtered by its own
// kernel W[ky, kx, c, m] (M = depth multiplier). Direct loop; channels innermost so each tap is
// a contiguous multiply-add over the pixel's channels.
// ----------------------------------------------------------------------------

/// `output[b, oy, ox, c*M + m] = bias[c*M + m] + sum_{ky, kx} input[b, iy, ix, c] * kernel[(ky*kw + kx)*C*M + c*M + m]`.
func depthwiseConv2D(_ input: UnsafePointer<Float>, geometry g: WindowGeometry, multiplier: Int, batch: Int,
                     kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>?, into output: UnsafeMutablePointer<Float>) {
    let inChannels = g.channels
    let outChannels = inChannels * multiplier
    var out = output
    for sample in 0..<batch {
        let image = input + sample * g.inputPixels * inChannels
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                if let bias { out.update(from: bias, count: outChannels) } else { out.update(repeating: 0, count: outChannels) }
                for ky in 0..<g.kernelHeight {
                    let iy = oy * g.strideY - g.padTop + ky * g.dilationY
                    if iy < 0 || iy >= g.inputHeight { continue }
                    for kx in 0..<g.kernelWidth {
                        let ix = ox * g.strideX - g.padLeft + kx * g.dilationX
                        if ix < 0 || ix >= g.inputWidth { continue }
                        let pixel = image + (iy * g.inputWidth + ix) * inChannels
                        let taps = kernel + (ky * g.kernelWidth + kx) * outChannels
                        if multiplier == 1 {
                            multiplyAccumulate(out, pixel, taps, count: outChannels)
                        } else {
                            for c in 0..<inChannels {
                                let x = pixel[c]
                                for m in 0..<multiplier { out[c * multiplier + m] += x * taps[c * multiplier + m] }
                            }
                        }
                    }
                }
                out += outChannels
            }
        }
    }
}

/// `y[i] += a[i] * b[i]` for i < count, eight lanes at a time.
@inline(__always)
func multiplyAccumulate(_ y: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) {
    var i = 0
    while i + 8 <= count {
        let ya = UnsafeMutableRawPointer(y + i)
        var acc = ya.loadUnaligned(as: SIMD8<Float>.self)
        let av = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
        let bv = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
        #if KERASENGINE_FMA
        acc = acc.addingProduct(av, bv)
        #else
        acc += av * bv
        #endif
        ya.storeBytes(of: acc, as: SIMD8<Float>.self)
        i += 8
    }
    while i < count {
        y[i] += a[i] * b[i]
        i += 1
    }
}
