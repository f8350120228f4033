// ----------------------------------------------------------------------------
// Convolution as an implicit GEMM: the rows of A (one per output pixel) are read straight
// from the NHWC input instead of being copied out by im2col.
//
// Six output pixels, twelve when a row of C is one register (taken in raster order, so a block
// may span output rows, which keeps small late layers on the fast path), share each packed
// weight row loaded: C[6 x W] += a(pixel, tap) * B[tap, 0..<W], with the taps of one kernel row
// contiguous in the input when the dilation is 1 and the group is all channels. The input is
// already padded (see `padInput`), so every window lies inside it; a last block of fewer pixels
// repeats its last pixel, which is cheaper than one pixel alone (independent sums instead of one
// latency-bound chain). Eight filters or fewer on AVX-512: `pairedTapConvolution`.
// ----------------------------------------------------------------------------

/// `output[b, oy, ox, o] = epilogue(bias[o] + sum_{ky, kx, i} input[b, iy, ix, channelOffset + i] * B[(ky*kw + kx)*I + i, o])`
/// for all output pixels and the packed matrix's columns; `output` has row stride `ldc`. `g` has
/// no padding (`padded`).
public func implicitGEMMConvolution(_ input: UnsafePointer<Float>, geometry g: WindowGeometry, channelOffset: Int, groupChannels: Int,
                                    batch: Int, b: PackedMatrix, output: UnsafeMutablePointer<Float>, ldc: Int, epilogue: GEMMEpilogue) {
    precondition(!g.isPadded, "implicitGEMMConvolution runs on a padded input")
    #if KERASENGINE_AVX512
    if b.pairedRowTaps != nil {
        pairedTapConvolution(input + channelOffset, geometry: g, batch: batch, b: b, output: output, ldc: ldc, epilogue: epilogue)
        return
    }
    #endif
    b.forEachPanel(ConvolutionKernel(input: input, g: g, channelOffset: channelOffset, groupChannels: groupChannels,
                                     batch: batch, output: output, ldc: ldc, epilogue: epilogue))
}

private struct ConvolutionKernel: PanelKernel {
    let input: UnsafePointer<Float>, g: WindowGeometry
    let channelOffset: Int, groupChannels: Int, batch: Int
    let output: UnsafeMutablePointer<Float>, ldc: Int
    let epilogue: GEMMEpilogue

    @inline(__always)
    func run<V: KernelVector>(_: V.Type, _ panel: PackedPanel) {
        convolutionPanel(V.self, input, g, channelOffset, groupChannels, batch, panel.weights, panel.bias, panel.scale,
                         panel.shift, panel.columns, output + panel.offset, ldc, epilogue)
    }
}

private func convolutionPanel<V: KernelVector>(_: V.Type, _ input: UnsafePointer<Float>, _ g: WindowGeometry, _ channelOffset: Int,
                                       _ groupChannels: Int, _ batch: Int, _ weights: UnsafePointer<Float>,
                                       _ biasPointer: UnsafePointer<Float>, _ scalePointer: UnsafePointer<Float>,
                                       _ shiftPointer: UnsafePointer<Float>, _ columns: Int,
                                       _ output: UnsafeMutablePointer<Float>, _ ldc: Int, _ epilogue: GEMMEpilogue) {
    let width = V.width
    let step = width * MemoryLayout<Float>.stride
    let bias = V.load(biasPointer)
    let scale = V.load(scalePointer)
    let shift = V.load(shiftPointer)
    let channels = g.channels
    let rowStride = g.dilationY * g.inputWidth * channels
    // Taps of one kernel row are contiguous in the input: one flat loop of kw * I.
    let contiguous = g.dilationX == 1 && groupChannels == channels
    let rowTaps = g.kernelWidth * groupChannels

    /// Six output pixels in raster order (they may span output rows): each one's first tap and
    /// output row.
    func block(_ p: Six<Pixel>) {
        let (a0, a1, a2, a3, a4, a5) = (p.0.tap, p.1.tap, p.2.tap, p.3.tap, p.4.tap, p.5.tap)
        var rows = SixRows(bias)
        var pb = UnsafeRawPointer(weights)
        var offset = 0
        for _ in 0..<g.kernelHeight {
            if contiguous {
                for t in offset..<(offset + rowTaps) {
                    rows.multiplyAdd(a0[t], a1[t], a2[t], a3[t], a4[t], a5[t], V.load(pb))
                    pb += step
                }
            } else {
                for kx in 0..<g.kernelWidth {
                    let tap = offset + kx * g.dilationX * channels
                    for t in tap..<(tap + groupChannels) {
                        rows.multiplyAdd(a0[t], a1[t], a2[t], a3[t], a4[t], a5[t], V.load(pb))
                        pb += step
                    }
                }
            }
            offset += rowStride
        }
        rows.store(p.0.out, p.1.out, p.2.out, p.3.out, p.4.out, p.5.out, columns: columns, epilogue: epilogue,
                   scale: scale, shift: shift)
    }

    /// Twelve output pixels: two sets of six rows share each weight row loaded.
    func block12(_ p: Twelve<Pixel>) {
        let (a0, a1, a2, a3, a4, a5) = (p.0.tap, p.1.tap, p.2.tap, p.3.tap, p.4.tap, p.5.tap)
        let (a6, a7, a8, a9, a10, a11) = (p.6.tap, p.7.tap, p.8.tap, p.9.tap, p.10.tap, p.11.tap)
        var low = SixRows(bias), high = SixRows(bias)
        var pb = UnsafeRawPointer(weights)
        var offset = 0
        for _ in 0..<g.kernelHeight {
            if contiguous {
                for t in offset..<(offset + rowTaps) {
                    let w = V.load(pb)
                    low.multiplyAdd(a0[t], a1[t], a2[t], a3[t], a4[t], a5[t], w)
                    high.multiplyAdd(a6[t], a7[t], a8[t], a9[t], a10[t], a11[t], w)
                    pb += step
                }
            } else {
                for kx in 0..<g.kernelWidth {
                    let tap = offset + kx * g.dilationX * channels
                    for t in tap..<(tap + groupChannels) {
                        let w = V.load(pb)
                        low.multiplyAdd(a0[t], a1[t], a2[t], a3[t], a4[t], a5[t], w)
                        high.multiplyAdd(a6[t], a7[t], a8[t], a9[t], a10[t], a11[t], w)
                        pb += step
                    }
                }
            }
            offset += rowStride
        }
        low.store(p.0.out, p.1.out, p.2.out, p.3.out, p.4.out, p.5.out, columns: columns, epilogue: epilogue,
                  scale: scale, shift: shift)
        high.store(p.6.out, p.7.out, p.8.out, p.9.out, p.10.out, p.11.out, columns: columns, epilogue: epilogue,
                   scale: scale, shift: shift)
    }

    // Six accumulators cannot hide the multiply-add latency (four cycles, two issued per
    // cycle); twelve can, when one row of C is one register.
    let twelve = V.width <= WideVector.scalarCount
    for sample in 0..<batch {
        var cursor = PixelCursor(image: input + sample * g.inputPixels * channels + channelOffset,
                                 output: output + sample * g.outputPixels * ldc, geometry: g, ldc: ldc)
        var remaining = g.outputPixels
        while twelve && remaining > 6 {
            block12(cursor.nextTwelve(of: remaining))
            remaining -= 12
        }
        while remaining > 0 {
            block(cursor.nextSix(of: remaining))
            remaining -= 6
        }
    }
}

/// An output pixel of a convolution: its first input tap and its output row.
typealias Pixel = (tap: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>)
/// The pixels of a micro-kernel's block.
typealias Six<T> = (T, T, T, T, T, T)
typealias Twelve<T> = (T, T, T, T, T, T, T, T, T, T, T, T)

/// Output pixels in raster order, taken one by one or a block at a time.
struct PixelCursor {
    let pixelStep: Int, rowStep: Int, width: Int, ldc: Int
    var x = 0
    var rowStart: UnsafePointer<Float>
    var out: UnsafeMutablePointer<Float>

    init(image: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, geometry g: WindowGeometry, ldc: Int) {
        pixelStep = g.strideX * g.channels
        rowStep = g.strideY * g.inputWidth * g.channels
        width = g.outputWidth
        self.ldc = ldc
        rowStart = image
        out = output
    }

    @inline(__always)
    mutating func next() -> Pixel {
        let result = (rowStart + x * pixelStep, out)
        out += ldc
        x += 1
        if x == width {
            x = 0
            rowStart += rowStep
        }
        return result
    }

    /// The next six of the `remaining` (at least 1) pixels; past the last one, the last again.
    @inline(__always)
    mutating func nextSix(of remaining: Int) -> Six<Pixel> {
        let p0 = next()
        let p1 = remaining > 1 ? next() : p0
        let p2 = remaining > 2 ? next() : p1
        let p3 = remaining > 3 ? next() : p2
        let p4 = remaining > 4 ? next() : p3
        let p5 = remaining > 5 ? next() : p4
        return (p0, p1, p2, p3, p4, p5)
    }

    /// The next twelve of the `remaining` (at least 1) pixels; past the last one, the last again.
    @inline(__always)
    mutating func nextTwelve(of remaining: Int) -> Twelve<Pixel> {
        let (p0, p1, p2, p3, p4, p5) = nextSix(of: remaining)
        let p6 = remaining > 6 ? next() : p5
        let p7 = remaining > 7 ? next() : p6
        let p8 = remaining > 8 ? next() : p7
        let p9 = remaining > 9 ? next() : p8
        let p10 = remaining > 10 ? next() : p9
        let p11 = remaining > 11 ? next() : p10
        return (p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11)
    }
}
