// ----------------------------------------------------------------------------
// Convolution with at most 8 filters on AVX-512 (mini-Xception's first two layers, a model's
// last 7-class layer): one row of C is 8 floats, half a 512-bit register, and the 8-wide
// kernel leaves half of every multiply-add unused.
//
// Here each 16-lane accumulator holds two taps' worth of the 8 columns, interleaved: lane 2j
// sums B[t, j] * a[t] over even taps t, lane 2j + 1 sums B[t + 1, j] * a[t + 1] over odd ones.
// Taps t and t + 1 of one kernel row are adjacent floats in the input, so one 64-bit broadcast
// load gives (a[t], a[t + 1]) in every lane pair, and the weights are packed to match (see
// `PackedMatrix.pairedRowTaps`). A multiply-add then does 16 useful products instead of 8, on
// half the loads. At the end, even plus odd lanes give the 8 results. An odd tap count leaves
// one tap per kernel row, broadcast alone against weights paired with zeros.
//
// Twelve output pixels per block (twelve accumulators hide the multiply-add latency), in raster
// order; a last short block repeats its last pixel.
// ----------------------------------------------------------------------------

#if KERASENGINE_AVX512
/// `output[b, oy, ox, o] = epilogue(bias[o] + sum_{ky, kx, i} input[b, iy, ix, i] * B[(ky*kw + kx)*I + i, o])`
/// for the (at most 8) columns of `b`, which has `pairedRowTaps`; `g` has no padding, dilation 1
/// across and one group.
public func pairedTapConvolution(_ input: UnsafePointer<Float>, geometry g: WindowGeometry, batch: Int, b: PackedMatrix,
                                 output: UnsafeMutablePointer<Float>, ldc: Int, epilogue: GEMMEpilogue) {
    guard let rowTaps = b.pairedRowTaps else { preconditionFailure("pairedTapConvolution needs weights packed in tap pairs") }
    b.withPointers { packed, bias, scale, shift in
        pairedTapPanel(input, g, rowTaps, batch, packed, SIMD8<Float>.load(bias), SIMD8<Float>.load(scale),
                       SIMD8<Float>.load(shift), b.n, output, ldc, epilogue)
    }
}

/// Twelve rows of C, each as two interleaved partial sums (see the file comment).
private struct TwelvePairedRows {
    var c0 = SIMD16<Float>(), c1 = SIMD16<Float>(), c2 = SIMD16<Float>(), c3 = SIMD16<Float>()
    var c4 = SIMD16<Float>(), c5 = SIMD16<Float>(), c6 = SIMD16<Float>(), c7 = SIMD16<Float>()
    var c8 = SIMD16<Float>(), c9 = SIMD16<Float>(), c10 = SIMD16<Float>(), c11 = SIMD16<Float>()

    @_transparent
    static func pair(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        unsafeBitCast(SIMD8<UInt64>(repeating: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)), to: SIMD16<Float>.self)
    }

    @_transparent
    static func single(_ p: UnsafePointer<Float>) -> SIMD16<Float> { SIMD16(repeating: p.pointee) }

    /// Adds `broadcast(a_j + t) * w` to row j.
    @_transparent
    mutating func multiplyAdd(_ a: Twelve<UnsafePointer<Float>>, _ t: Int, _ w: SIMD16<Float>,
                              _ broadcast: (UnsafePointer<Float>) -> SIMD16<Float>) {
        c0 = c0.addingProduct(broadcast(a.0 + t), w)
        c1 = c1.addingProduct(broadcast(a.1 + t), w)
        c2 = c2.addingProduct(broadcast(a.2 + t), w)
        c3 = c3.addingProduct(broadcast(a.3 + t), w)
        c4 = c4.addingProduct(broadcast(a.4 + t), w)
        c5 = c5.addingProduct(broadcast(a.5 + t), w)
        c6 = c6.addingProduct(broadcast(a.6 + t), w)
        c7 = c7.addingProduct(broadcast(a.7 + t), w)
        c8 = c8.addingProduct(broadcast(a.8 + t), w)
        c9 = c9.addingProduct(broadcast(a.9 + t), w)
        c10 = c10.addingProduct(broadcast(a.10 + t), w)
        c11 = c11.addingProduct(broadcast(a.11 + t), w)
    }
}

private func pairedTapPanel(_ input: UnsafePointer<Float>, _ g: WindowGeometry, _ rowTaps: Int, _ batch: Int,
                            _ weights: UnsafePointer<Float>, _ bias: SIMD8<Float>, _ scale: SIMD8<Float>, _ shift: SIMD8<Float>,
                            _ columns: Int, _ output: UnsafeMutablePointer<Float>, _ ldc: Int, _ epilogue: GEMMEpilogue) {
    let step = 16 * MemoryLayout<Float>.stride
    let rowStride = g.inputWidth * g.channels
    let pairs = rowTaps / 2

    for sample in 0..<batch {
        var cursor = PixelCursor(image: input + sample * g.inputPixels * g.channels, output: output + sample * g.outputPixels * ldc,
                                 geometry: g, ldc: ldc)
        var remaining = g.outputPixels
        while remaining > 0 {
            // Spelled out: through `PixelCursor.nextTwelve` this loop ran 15% slower (conv2d_1 of
            // mini-Xception, 12.2 against 14.2 us; the block's 24 pointers took another route).
            let p0 = cursor.next()
            let p1 = remaining > 1 ? cursor.next() : p0
            let p2 = remaining > 2 ? cursor.next() : p1
            let p3 = remaining > 3 ? cursor.next() : p2
            let p4 = remaining > 4 ? cursor.next() : p3
            let p5 = remaining > 5 ? cursor.next() : p4
            let p6 = remaining > 6 ? cursor.next() : p5
            let p7 = remaining > 7 ? cursor.next() : p6
            let p8 = remaining > 8 ? cursor.next() : p7
            let p9 = remaining > 9 ? cursor.next() : p8
            let p10 = remaining > 10 ? cursor.next() : p9
            let p11 = remaining > 11 ? cursor.next() : p10
            let a = (p0.tap, p1.tap, p2.tap, p3.tap, p4.tap, p5.tap, p6.tap, p7.tap, p8.tap, p9.tap, p10.tap, p11.tap)
            var rows = TwelvePairedRows()
            var pb = UnsafeRawPointer(weights)
            var offset = 0
            for _ in 0..<g.kernelHeight {
                var t = offset
                for _ in 0..<pairs {
                    rows.multiplyAdd(a, t, pb.loadUnaligned(as: SIMD16<Float>.self), TwelvePairedRows.pair)
                    pb += step
                    t += 2
                }
                if rowTaps & 1 == 1 {
                    rows.multiplyAdd(a, t, pb.loadUnaligned(as: SIMD16<Float>.self), TwelvePairedRows.single)
                    pb += step
                }
                offset += rowStride
            }
            @inline(__always) func store(_ sum: SIMD16<Float>, _ out: UnsafeMutablePointer<Float>) {
                (sum.evenHalf + sum.oddHalf + bias).store(out, columns: columns, relu: epilogue.relu, affine: epilogue.affine,
                                                          scale: scale, shift: shift)
            }
            store(rows.c0, p0.out); store(rows.c1, p1.out); store(rows.c2, p2.out); store(rows.c3, p3.out)
            store(rows.c4, p4.out); store(rows.c5, p5.out); store(rows.c6, p6.out); store(rows.c7, p7.out)
            store(rows.c8, p8.out); store(rows.c9, p9.out); store(rows.c10, p10.out); store(rows.c11, p11.out)
            remaining -= 12
        }
    }
}
#endif
