// ----------------------------------------------------------------------------
// Depthwise convolution, NHWC: output channel c * M + m is input channel c filtered by its own
// kernel W[ky, kx, c, m] (M = depth multiplier). Direct loop; channels innermost so each tap is
// a contiguous multiply-add over the pixel's channels.
// ----------------------------------------------------------------------------

/// `output[b, oy, ox, c*M + m] = bias[c*M + m] + sum_{ky, kx} input[b, iy, ix, c] * kernel[(ky*kw + kx)*C*M + c*M + m]`.
///
/// With M = 1 each output pixel is computed eight channels at a time in a register, over the
/// taps that fall inside the image; other multipliers take a plain loop.
func depthwiseConv2D(_ input: UnsafePointer<Float>, geometry g: WindowGeometry, multiplier: Int, batch: Int,
                     kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>?, into output: UnsafeMutablePointer<Float>) {
    let inChannels = g.channels
    let outChannels = inChannels * multiplier
    let vectorChannels = multiplier == 1 ? outChannels & ~7 : 0
    var out = output
    for sample in 0..<batch {
        let image = input + sample * g.inputPixels * inChannels
        for oy in 0..<g.outputHeight {
            let y0 = oy * g.strideY - g.padTop
            // Taps inside the image: ky in kyStart..<kyEnd.
            let kyStart = y0 >= 0 ? 0 : (-y0 + g.dilationY - 1) / g.dilationY
            let kyEnd = min(g.kernelHeight, (g.inputHeight - y0 + g.dilationY - 1) / g.dilationY)
            for ox in 0..<g.outputWidth {
                let x0 = ox * g.strideX - g.padLeft
                let kxStart = x0 >= 0 ? 0 : (-x0 + g.dilationX - 1) / g.dilationX
                let kxEnd = min(g.kernelWidth, (g.inputWidth - x0 + g.dilationX - 1) / g.dilationX)
                var c = 0
                while c + 16 <= vectorChannels {
                    depthwisePixel(SIMD16<Float>.self, image: image, c: c, y0: y0, x0: x0, ky: kyStart..<max(kyEnd, kyStart),
                                   kx: kxStart..<max(kxEnd, kxStart), geometry: g, kernel: kernel, bias: bias, out: out)
                    c += 16
                }
                while c < vectorChannels {
                    depthwisePixel(SIMD8<Float>.self, image: image, c: c, y0: y0, x0: x0, ky: kyStart..<max(kyEnd, kyStart),
                                   kx: kxStart..<max(kxEnd, kxStart), geometry: g, kernel: kernel, bias: bias, out: out)
                    c += 8
                }
                if c < outChannels {
                    for o in c..<outChannels { out[o] = bias?[o] ?? 0 }
                    for ky in kyStart..<max(kyEnd, kyStart) {
                        for kx in kxStart..<max(kxEnd, kxStart) {
                            let pixel = image + ((y0 + ky * g.dilationY) * g.inputWidth + x0 + kx * g.dilationX) * inChannels
                            let taps = kernel + (ky * g.kernelWidth + kx) * outChannels
                            for o in c..<outChannels { out[o] += pixel[o / multiplier] * taps[o] }
                        }
                    }
                }
                out += outChannels
            }
        }
    }
}

/// One output pixel's channels `c..<c + V.scalarCount` (multiplier 1), accumulated in a register.
@inline(__always)
private func depthwisePixel<V: SIMD>(_: V.Type, image: UnsafePointer<Float>, c: Int, y0: Int, x0: Int, ky kyRange: Range<Int>,
                                     kx kxRange: Range<Int>, geometry g: WindowGeometry, kernel: UnsafePointer<Float>,
                                     bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>) where V.Scalar == Float {
    let channels = g.channels
    var acc = bias.map { UnsafeRawPointer($0 + c).loadUnaligned(as: V.self) } ?? V()
    for ky in kyRange {
        let row = image + ((y0 + ky * g.dilationY) * g.inputWidth + x0) * channels + c
        let taps = kernel + ky * g.kernelWidth * channels + c
        for kx in kxRange {
            let x = UnsafeRawPointer(row + kx * g.dilationX * channels).loadUnaligned(as: V.self)
            let w = UnsafeRawPointer(taps + kx * channels).loadUnaligned(as: V.self)
            #if KERASENGINE_FMA
            acc = acc.addingProduct(x, w)
            #else
            acc += x * w
            #endif
        }
    }
    UnsafeMutableRawPointer(out + c).storeBytes(of: acc, as: V.self)
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
