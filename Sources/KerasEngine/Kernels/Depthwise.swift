// ----------------------------------------------------------------------------
// Depthwise convolution, NHWC: output channel c * M + m is input channel c filtered by its own
// kernel W[ky, kx, c, m] (M = depth multiplier). Direct loop; channels innermost so each tap is
// a contiguous multiply-add over the pixel's channels.
// ----------------------------------------------------------------------------

/// `output[b, oy, ox, c*M + m] = bias[c*M + m] + sum_{ky, kx} input[b, iy, ix, c] * kernel[(ky*kw + kx)*C*M + c*M + m]`.
///
/// With M = 1, channels go 16 or 8 at a time in registers, four neighbouring output pixels at
/// once where their windows are inside the image, over the taps that fall inside it; other
/// multipliers take a plain loop.
func depthwiseConv2D(_ input: UnsafePointer<Float>, geometry g: WindowGeometry, multiplier: Int, batch: Int,
                     kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>?, into output: UnsafeMutablePointer<Float>) {
    depthwiseConv2D(input, geometry: g, multiplier: multiplier, rows: 0..<(batch * g.outputHeight),
                    kernel: kernel, bias: bias, into: output)
}

/// The same for output rows `rows` only, counted across the batch (row r is sample
/// r / outputHeight, row r % outputHeight); `output` receives those rows, contiguous.
func depthwiseConv2D(_ input: UnsafePointer<Float>, geometry g: WindowGeometry, multiplier: Int, rows: Range<Int>,
                     kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>?, into output: UnsafeMutablePointer<Float>) {
    let inChannels = g.channels
    let outChannels = inChannels * multiplier
    let vectorChannels = multiplier == 1 ? outChannels & ~7 : 0
    var out = output
    for row in rows {
        let sample = row / g.outputHeight
        let oy = row - sample * g.outputHeight
        let image = input + sample * g.inputPixels * inChannels
        do {
            let y0 = oy * g.strideY - g.padTop
            // Taps inside the image: ky in kyStart..<kyEnd.
            let kyStart = y0 >= 0 ? 0 : (-y0 + g.dilationY - 1) / g.dilationY
            let kyEnd = min(g.kernelHeight, (g.inputHeight - y0 + g.dilationY - 1) / g.dilationY)
            var ox = 0
            while ox < g.outputWidth {
                // Four or eight neighbouring pixels whose windows lie inside the image
                // horizontally: independent accumulators per channel block hide the multiply-add
                // latency (eight for 8-channel blocks, whose instructions are twice as many).
                let first = ox * g.strideX - g.padLeft
                func inside(_ pixels: Int) -> Bool {
                    ox + pixels <= g.outputWidth && first >= 0
                        && first + (pixels - 1) * g.strideX + (g.kernelWidth - 1) * g.dilationX < g.inputWidth
                }
                if multiplier == 1, inside(4) {
                    let pixels = inside(8) ? 8 : 4
                    let kyRange = kyStart..<max(kyEnd, kyStart)
                    var c = 0
                    while c + 16 <= vectorChannels {
                        #if KERASENGINE_AVX512
                        // Eight 512-bit accumulators fit (and are needed to hide the latency);
                        // with AVX2 they would be sixteen 256-bit ones and spill.
                        if pixels == 8 {
                            depthwiseOctet(SIMD16<Float>.self, image: image, c: c, y0: y0, x0: first, ky: kyRange,
                                           geometry: g, kernel: kernel, bias: bias, out: out)
                            c += 16
                            continue
                        }
                        #endif
                        for quad in stride(from: 0, to: pixels, by: 4) {
                            depthwiseQuad(SIMD16<Float>.self, image: image, c: c, y0: y0, x0: first + quad * g.strideX, ky: kyRange,
                                          geometry: g, kernel: kernel, bias: bias, out: out + quad * outChannels)
                        }
                        c += 16
                    }
                    while c < vectorChannels {
                        if pixels == 8 {
                            depthwiseOctet(SIMD8<Float>.self, image: image, c: c, y0: y0, x0: first, ky: kyRange,
                                           geometry: g, kernel: kernel, bias: bias, out: out)
                        } else {
                            depthwiseQuad(SIMD8<Float>.self, image: image, c: c, y0: y0, x0: first, ky: kyRange,
                                          geometry: g, kernel: kernel, bias: bias, out: out)
                        }
                        c += 8
                    }
                    if c < outChannels {
                        for pixel in 0..<pixels {
                            let x0 = first + pixel * g.strideX
                            let o = out + pixel * outChannels
                            for channel in c..<outChannels { o[channel] = bias?[channel] ?? 0 }
                            for ky in kyRange {
                                for kx in 0..<g.kernelWidth {
                                    let p = image + ((y0 + ky * g.dilationY) * g.inputWidth + x0 + kx * g.dilationX) * inChannels
                                    let taps = kernel + (ky * g.kernelWidth + kx) * outChannels
                                    for channel in c..<outChannels { o[channel] += p[channel] * taps[channel] }
                                }
                            }
                        }
                    }
                    out += pixels * outChannels
                    ox += pixels
                    continue
                }
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
                ox += 1
            }
        }
    }
}

/// Four horizontally adjacent output pixels (all taps inside the image horizontally), channels
/// `c..<c + V.scalarCount`, multiplier 1.
@inline(__always)
private func depthwiseQuad<V: SIMD>(_: V.Type, image: UnsafePointer<Float>, c: Int, y0: Int, x0: Int, ky kyRange: Range<Int>,
                                    geometry g: WindowGeometry, kernel: UnsafePointer<Float>,
                                    bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>) where V.Scalar == Float {
    let channels = g.channels
    let start = bias.map { UnsafeRawPointer($0 + c).loadUnaligned(as: V.self) } ?? V()
    var acc0 = start, acc1 = start, acc2 = start, acc3 = start
    let pixelStep = g.strideX * channels
    for ky in kyRange {
        let row = image + ((y0 + ky * g.dilationY) * g.inputWidth + x0) * channels + c
        let taps = kernel + ky * g.kernelWidth * channels + c
        for kx in 0..<g.kernelWidth {
            let w = UnsafeRawPointer(taps + kx * channels).loadUnaligned(as: V.self)
            let p = row + kx * g.dilationX * channels
            let x0 = UnsafeRawPointer(p).loadUnaligned(as: V.self)
            let x1 = UnsafeRawPointer(p + pixelStep).loadUnaligned(as: V.self)
            let x2 = UnsafeRawPointer(p + 2 * pixelStep).loadUnaligned(as: V.self)
            let x3 = UnsafeRawPointer(p + 3 * pixelStep).loadUnaligned(as: V.self)
            #if KERASENGINE_FMA
            acc0 = acc0.addingProduct(x0, w)
            acc1 = acc1.addingProduct(x1, w)
            acc2 = acc2.addingProduct(x2, w)
            acc3 = acc3.addingProduct(x3, w)
            #else
            acc0 += x0 * w
            acc1 += x1 * w
            acc2 += x2 * w
            acc3 += x3 * w
            #endif
        }
    }
    UnsafeMutableRawPointer(out + c).storeBytes(of: acc0, as: V.self)
    UnsafeMutableRawPointer(out + channels + c).storeBytes(of: acc1, as: V.self)
    UnsafeMutableRawPointer(out + 2 * channels + c).storeBytes(of: acc2, as: V.self)
    UnsafeMutableRawPointer(out + 3 * channels + c).storeBytes(of: acc3, as: V.self)
}

/// Eight horizontally adjacent output pixels (all taps inside the image horizontally), channels
/// `c..<c + V.scalarCount`, multiplier 1.
@inline(__always)
private func depthwiseOctet<V: SIMD>(_: V.Type, image: UnsafePointer<Float>, c: Int, y0: Int, x0: Int, ky kyRange: Range<Int>,
                                     geometry g: WindowGeometry, kernel: UnsafePointer<Float>,
                                     bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>) where V.Scalar == Float {
    let channels = g.channels
    let start = bias.map { UnsafeRawPointer($0 + c).loadUnaligned(as: V.self) } ?? V()
    var acc0 = start, acc1 = start, acc2 = start, acc3 = start
    var acc4 = start, acc5 = start, acc6 = start, acc7 = start
    let pixelStep = g.strideX * channels
    for ky in kyRange {
        let row = image + ((y0 + ky * g.dilationY) * g.inputWidth + x0) * channels + c
        let taps = kernel + ky * g.kernelWidth * channels + c
        for kx in 0..<g.kernelWidth {
            let w = UnsafeRawPointer(taps + kx * channels).loadUnaligned(as: V.self)
            let p = row + kx * g.dilationX * channels
            @inline(__always) func x(_ pixel: Int) -> V { UnsafeRawPointer(p + pixel * pixelStep).loadUnaligned(as: V.self) }
            #if KERASENGINE_FMA
            acc0 = acc0.addingProduct(x(0), w)
            acc1 = acc1.addingProduct(x(1), w)
            acc2 = acc2.addingProduct(x(2), w)
            acc3 = acc3.addingProduct(x(3), w)
            acc4 = acc4.addingProduct(x(4), w)
            acc5 = acc5.addingProduct(x(5), w)
            acc6 = acc6.addingProduct(x(6), w)
            acc7 = acc7.addingProduct(x(7), w)
            #else
            acc0 += x(0) * w
            acc1 += x(1) * w
            acc2 += x(2) * w
            acc3 += x(3) * w
            acc4 += x(4) * w
            acc5 += x(5) * w
            acc6 += x(6) * w
            acc7 += x(7) * w
            #endif
        }
    }
    let o = UnsafeMutableRawPointer(out + c)
    let stride = channels * MemoryLayout<Float>.stride
    o.storeBytes(of: acc0, as: V.self)
    (o + stride).storeBytes(of: acc1, as: V.self)
    (o + 2 * stride).storeBytes(of: acc2, as: V.self)
    (o + 3 * stride).storeBytes(of: acc3, as: V.self)
    (o + 4 * stride).storeBytes(of: acc4, as: V.self)
    (o + 5 * stride).storeBytes(of: acc5, as: V.self)
    (o + 6 * stride).storeBytes(of: acc6, as: V.self)
    (o + 7 * stride).storeBytes(of: acc7, as: V.self)
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
