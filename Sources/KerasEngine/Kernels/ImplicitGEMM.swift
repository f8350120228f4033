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
func implicitGEMMConvolution(_ input: UnsafePointer<Float>, geometry g: WindowGeometry, channelOffset: Int, groupChannels: Int,
                             batch: Int, b: PackedMatrix, output: UnsafeMutablePointer<Float>, ldc: Int, epilogue: GEMMEpilogue) {
    precondition(!g.isPadded, "implicitGEMMConvolution runs on a padded input")
    #if KERASENGINE_AVX512
    if b.pairedRowTaps != nil {
        pairedTapConvolution(input + channelOffset, geometry: g, batch: batch, b: b, output: output, ldc: ldc, epilogue: epilogue)
        return
    }
    #endif
    b.data.withUnsafeBufferPointer { packed in
        b.bias.withUnsafeBufferPointer { bias in
            b.postScale.withUnsafeBufferPointer { scale in
                b.postShift.withUnsafeBufferPointer { shift in
                    guard let packed = packed.baseAddress, let bias = bias.baseAddress,
                          let scale = scale.baseAddress, let shift = shift.baseAddress else { return }
                    for panel in 0..<b.panels {
                        let offset = panel * b.width
                        let columns = min(b.width, b.n - offset)
                        let weights = packed + panel * b.k * b.width
                        if b.width == 32 {
                            convolutionPanel(VectorPair<SIMD16<Float>>.self, input, g, channelOffset, groupChannels, batch, weights,
                                             bias + offset, scale + offset, shift + offset, columns, output + offset, ldc, epilogue)
                        } else if b.width == 16 {
                            convolutionPanel(SIMD16<Float>.self, input, g, channelOffset, groupChannels, batch, weights,
                                             bias + offset, scale + offset, shift + offset, columns, output + offset, ldc, epilogue)
                        } else {
                            convolutionPanel(SIMD8<Float>.self, input, g, channelOffset, groupChannels, batch, weights,
                                             bias + offset, scale + offset, shift + offset, columns, output + offset, ldc, epilogue)
                        }
                    }
                }
            }
        }
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

    /// Six output pixels in raster order (they may span output rows): `a` points at each one's
    /// first tap, `c` at its output row.
    func block(_ a0: UnsafePointer<Float>, _ a1: UnsafePointer<Float>, _ a2: UnsafePointer<Float>,
               _ a3: UnsafePointer<Float>, _ a4: UnsafePointer<Float>, _ a5: UnsafePointer<Float>,
               _ c0p: UnsafeMutablePointer<Float>, _ c1p: UnsafeMutablePointer<Float>, _ c2p: UnsafeMutablePointer<Float>,
               _ c3p: UnsafeMutablePointer<Float>, _ c4p: UnsafeMutablePointer<Float>, _ c5p: UnsafeMutablePointer<Float>) {
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
        rows.store(c0p, c1p, c2p, c3p, c4p, c5p, columns: columns, epilogue: epilogue, scale: scale, shift: shift)
    }

    /// Twelve output pixels: two sets of six rows share each weight row loaded.
    func block12(_ a0: UnsafePointer<Float>, _ a1: UnsafePointer<Float>, _ a2: UnsafePointer<Float>,
                 _ a3: UnsafePointer<Float>, _ a4: UnsafePointer<Float>, _ a5: UnsafePointer<Float>,
                 _ a6: UnsafePointer<Float>, _ a7: UnsafePointer<Float>, _ a8: UnsafePointer<Float>,
                 _ a9: UnsafePointer<Float>, _ a10: UnsafePointer<Float>, _ a11: UnsafePointer<Float>,
                 _ c: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
                       UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
                       UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
                       UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)) {
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
        low.store(c.0, c.1, c.2, c.3, c.4, c.5, columns: columns, epilogue: epilogue, scale: scale, shift: shift)
        high.store(c.6, c.7, c.8, c.9, c.10, c.11, columns: columns, epilogue: epilogue, scale: scale, shift: shift)
    }

    // Six accumulators cannot hide the multiply-add latency (four cycles, two issued per
    // cycle); twelve can, when one row of C is one register.
    let twelve = V.width <= WideVector.scalarCount
    for sample in 0..<batch {
        var cursor = PixelCursor(image: input + sample * g.inputPixels * channels + channelOffset,
                                 output: output + sample * g.outputPixels * ldc, geometry: g, ldc: ldc)
        var remaining = g.outputPixels
        while twelve && remaining > 6 {
            let p0 = cursor.next(), p1 = cursor.next(), p2 = cursor.next(), p3 = cursor.next()
            let p4 = cursor.next(), p5 = cursor.next(), p6 = cursor.next()
            let p7 = remaining > 7 ? cursor.next() : p6
            let p8 = remaining > 8 ? cursor.next() : p7
            let p9 = remaining > 9 ? cursor.next() : p8
            let p10 = remaining > 10 ? cursor.next() : p9
            let p11 = remaining > 11 ? cursor.next() : p10
            block12(p0.tap, p1.tap, p2.tap, p3.tap, p4.tap, p5.tap, p6.tap, p7.tap, p8.tap, p9.tap, p10.tap, p11.tap,
                    (p0.out, p1.out, p2.out, p3.out, p4.out, p5.out, p6.out, p7.out, p8.out, p9.out, p10.out, p11.out))
            remaining -= 12
        }
        while remaining > 0 {
            let p0 = cursor.next()
            let p1 = remaining > 1 ? cursor.next() : p0
            let p2 = remaining > 2 ? cursor.next() : p1
            let p3 = remaining > 3 ? cursor.next() : p2
            let p4 = remaining > 4 ? cursor.next() : p3
            let p5 = remaining > 5 ? cursor.next() : p4
            block(p0.tap, p1.tap, p2.tap, p3.tap, p4.tap, p5.tap, p0.out, p1.out, p2.out, p3.out, p4.out, p5.out)
            remaining -= 6
        }
    }
}

/// Output pixels in raster order: each one's first input tap and its output row.
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
    mutating func next() -> (tap: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>) {
        let result = (rowStart + x * pixelStep, out)
        out += ldc
        x += 1
        if x == width {
            x = 0
            rowStart += rowStep
        }
        return result
    }
}
