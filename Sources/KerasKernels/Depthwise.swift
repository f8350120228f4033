// ----------------------------------------------------------------------------
// Depthwise convolution, NHWC: output channel c * M + m is input channel c filtered by its own
// kernel W[ky, kx, c, m] (M = depth multiplier).
//
// The input is already padded (see `padInput`): every window lies inside it. With M = 1 (every
// common model) one output row is computed one channel block at a time (a register's worth of
// channels), the pixels of the row innermost, four at a time. A 3x3 stride-1 kernel keeps its
// nine weight vectors in registers, and the four pixels share the six input vectors of each
// kernel row, so a multiply-add costs half a load. Other kernels read their weights from L1.
// Other multipliers take a plain loop.
// ----------------------------------------------------------------------------

/// `output[r, ox, c*M + m] = bias[c*M + m] + sum_{ky, kx} input[iy, ix, c] * kernel[(ky*kw + kx)*C*M + c*M + m]`
/// for output rows `rows`, counted across the batch (row r is sample r / outputHeight, row
/// r % outputHeight); `output` receives those rows, contiguous. `g` has no padding (`padded`).
public func depthwiseConv2D(_ input: UnsafePointer<Float>, geometry g: WindowGeometry, multiplier: Int, rows: Range<Int>,
                            kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>?, into output: UnsafeMutablePointer<Float>) {
    precondition(!g.isPadded, "depthwiseConv2D runs on a padded input")
    let inChannels = g.channels
    let outChannels = inChannels * multiplier
    var out = output
    for row in rows {
        let sample = row / g.outputHeight
        let oy = row - sample * g.outputHeight
        let top = input + (sample * g.inputPixels + oy * g.strideY * g.inputWidth) * inChannels
        guard multiplier == 1 else {
            depthwiseRowAnyMultiplier(top: top, geometry: g, multiplier: multiplier, kernel: kernel, bias: bias, out: out)
            out += g.outputWidth * outChannels
            continue
        }
        var c = 0
        while c + WideVector.scalarCount <= inChannels {
            depthwiseRow(WideVector.self, top: top + c, geometry: g, kernel: kernel + c, bias: bias.map { $0 + c }, out: out + c)
            c += WideVector.scalarCount
        }
        while c + 8 <= inChannels {
            depthwiseRow(SIMD8<Float>.self, top: top + c, geometry: g, kernel: kernel + c, bias: bias.map { $0 + c }, out: out + c)
            c += 8
        }
        while c + 4 <= inChannels {
            depthwiseRow(SIMD4<Float>.self, top: top + c, geometry: g, kernel: kernel + c, bias: bias.map { $0 + c }, out: out + c)
            c += 4
        }
        if c < inChannels {
            depthwiseRowAnyMultiplier(top: top, geometry: g, multiplier: 1, channels: c..<inChannels,
                                      kernel: kernel, bias: bias, out: out)
        }
        out += g.outputWidth * outChannels
    }
}

@_transparent
private func fma<V: SIMD>(_ acc: inout V, _ x: V, _ w: V) where V.Scalar == Float {
    #if KERASENGINE_FMA
    acc = acc.addingProduct(x, w)
    #else
    acc += x * w
    #endif
}

/// One output row, channels `0..<V.scalarCount` from `top` (the row's first input row at the
/// block's first channel), multiplier 1.
@inline(__always)
private func depthwiseRow<V: SIMD>(_: V.Type, top: UnsafePointer<Float>, geometry g: WindowGeometry, kernel: UnsafePointer<Float>,
                                   bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>) where V.Scalar == Float {
    let channels = g.channels
    @inline(__always) func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
    @inline(__always) func store(_ v: V, _ pixel: Int) { UnsafeMutableRawPointer(out + pixel * channels).storeBytes(of: v, as: V.self) }
    let start = bias.map(load) ?? V()
    let rowStep = g.dilationY * g.inputWidth * channels
    let width = g.outputWidth
    var x = 0
    if g.kernelHeight == 3, g.kernelWidth == 3, g.strideX == 1, g.dilationX == 1 {
        let w0 = load(kernel), w1 = load(kernel + channels), w2 = load(kernel + 2 * channels)
        let w3 = load(kernel + 3 * channels), w4 = load(kernel + 4 * channels), w5 = load(kernel + 5 * channels)
        let w6 = load(kernel + 6 * channels), w7 = load(kernel + 7 * channels), w8 = load(kernel + 8 * channels)
        /// Adds one kernel row (weights a, b, c) to four pixels starting at `p`.
        @inline(__always) func fourPixels(_ p: UnsafePointer<Float>, _ a: V, _ b: V, _ c: V,
                                          _ s0: inout V, _ s1: inout V, _ s2: inout V, _ s3: inout V) {
            let i0 = load(p), i1 = load(p + channels), i2 = load(p + 2 * channels)
            let i3 = load(p + 3 * channels), i4 = load(p + 4 * channels), i5 = load(p + 5 * channels)
            fma(&s0, i0, a); fma(&s1, i1, a); fma(&s2, i2, a); fma(&s3, i3, a)
            fma(&s0, i1, b); fma(&s1, i2, b); fma(&s2, i3, b); fma(&s3, i4, b)
            fma(&s0, i2, c); fma(&s1, i3, c); fma(&s2, i4, c); fma(&s3, i5, c)
        }
        while x + 4 <= width {
            var s0 = start, s1 = start, s2 = start, s3 = start
            let p = top + x * channels
            fourPixels(p, w0, w1, w2, &s0, &s1, &s2, &s3)
            fourPixels(p + rowStep, w3, w4, w5, &s0, &s1, &s2, &s3)
            fourPixels(p + 2 * rowStep, w6, w7, w8, &s0, &s1, &s2, &s3)
            store(s0, x); store(s1, x + 1); store(s2, x + 2); store(s3, x + 3)
            x += 4
        }
        while x < width {
            var s0 = start, s1 = V(), s2 = V()
            let p = top + x * channels
            fma(&s0, load(p), w0); fma(&s1, load(p + channels), w1); fma(&s2, load(p + 2 * channels), w2)
            fma(&s0, load(p + rowStep), w3); fma(&s1, load(p + rowStep + channels), w4); fma(&s2, load(p + rowStep + 2 * channels), w5)
            fma(&s0, load(p + 2 * rowStep), w6); fma(&s1, load(p + 2 * rowStep + channels), w7)
            fma(&s2, load(p + 2 * rowStep + 2 * channels), w8)
            store(s0 + s1 + s2, x)
            x += 1
        }
        return
    }
    let pixelStep = g.strideX * channels
    let tapStep = g.dilationX * channels
    while x + 4 <= width {
        var s0 = start, s1 = start, s2 = start, s3 = start
        var taps = kernel
        var rowStart = top + x * pixelStep
        for _ in 0..<g.kernelHeight {
            var p = rowStart
            for _ in 0..<g.kernelWidth {
                let w = load(taps)
                fma(&s0, load(p), w)
                fma(&s1, load(p + pixelStep), w)
                fma(&s2, load(p + 2 * pixelStep), w)
                fma(&s3, load(p + 3 * pixelStep), w)
                p += tapStep
                taps += channels
            }
            rowStart += rowStep
        }
        store(s0, x); store(s1, x + 1); store(s2, x + 2); store(s3, x + 3)
        x += 4
    }
    while x < width {
        var s0 = start
        var taps = kernel
        var rowStart = top + x * pixelStep
        for _ in 0..<g.kernelHeight {
            var p = rowStart
            for _ in 0..<g.kernelWidth {
                fma(&s0, load(p), load(taps))
                p += tapStep
                taps += channels
            }
            rowStart += rowStep
        }
        store(s0, x)
        x += 1
    }
}

/// One output row, any multiplier, input channels `channels`, one float at a time.
private func depthwiseRowAnyMultiplier(top: UnsafePointer<Float>, geometry g: WindowGeometry, multiplier: Int,
                                       channels: Range<Int>? = nil, kernel: UnsafePointer<Float>,
                                       bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>) {
    let inChannels = g.channels
    let outChannels = inChannels * multiplier
    let rowStep = g.dilationY * g.inputWidth * inChannels
    let range = channels ?? 0..<inChannels
    for ox in 0..<g.outputWidth {
        let o = out + ox * outChannels
        for c in range {
            for m in 0..<multiplier {
                let channel = c * multiplier + m
                var sum = bias?[channel] ?? 0
                var row = top + ox * g.strideX * inChannels + c
                for ky in 0..<g.kernelHeight {
                    for kx in 0..<g.kernelWidth {
                        sum += row[kx * g.dilationX * inChannels] * kernel[(ky * g.kernelWidth + kx) * outChannels + channel]
                    }
                    row += rowStep
                }
                o[channel] = sum
            }
        }
    }
}
