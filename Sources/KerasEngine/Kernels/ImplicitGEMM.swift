// ----------------------------------------------------------------------------
// Convolution as an implicit GEMM: the rows of A (one per output pixel) are read straight
// from the NHWC input instead of being copied out by im2col.
//
// Six output pixels whose windows lie wholly inside the image (taken in raster order, so a
// block may span output rows, which keeps small late layers on the fast path) share each
// packed weight row loaded: C[6 x W] += a(pixel, tap) * B[tap, 0..<W], with the taps of one
// kernel row contiguous in the input when the dilation is 1 and the group is all channels.
// Pixels whose windows reach into the padding take a one-pixel path over the taps that fall
// inside the image (padding only adds zeros).
// ----------------------------------------------------------------------------

/// `output[b, oy, ox, o] = epilogue(bias[o] + sum_{ky, kx, i} input[b, iy, ix, channelOffset + i] * B[(ky*kw + kx)*I + i, o])`
/// for all output pixels and the packed matrix's columns; `output` has row stride `ldc`.
func implicitGEMMConvolution(_ input: UnsafePointer<Float>, geometry g: WindowGeometry, channelOffset: Int, groupChannels: Int,
                             batch: Int, b: PackedMatrix, output: UnsafeMutablePointer<Float>, ldc: Int, epilogue: GEMMEpilogue) {
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

    /// Six output pixels whose windows lie wholly inside the image, in raster order (they may
    /// span output rows): `a` points at each one's first tap, `c` at its output row.
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

    /// One output pixel, over the taps inside the image; two partial sums.
    func single(_ image: UnsafePointer<Float>, _ oy: Int, _ ox: Int, _ out: UnsafeMutablePointer<Float>) {
        let y0 = oy * g.strideY - g.padTop, x0 = ox * g.strideX - g.padLeft
        let kyStart = y0 >= 0 ? 0 : (-y0 + g.dilationY - 1) / g.dilationY
        let kyEnd = max(min(g.kernelHeight, (g.inputHeight - y0 + g.dilationY - 1) / g.dilationY), kyStart)
        let kxStart = x0 >= 0 ? 0 : (-x0 + g.dilationX - 1) / g.dilationX
        let kxEnd = max(min(g.kernelWidth, (g.inputWidth - x0 + g.dilationX - 1) / g.dilationX), kxStart)
        var s0 = bias, s1 = V()
        for ky in kyStart..<kyEnd {
            let row = image + ((y0 + ky * g.dilationY) * g.inputWidth + x0) * channels
            for kx in kxStart..<kxEnd {
                let tap = row + kx * g.dilationX * channels
                var pb = UnsafeRawPointer(weights + (ky * g.kernelWidth + kx) * groupChannels * width)
                var i = 0
                while i + 2 <= groupChannels {
                    s0.multiplyAdd(tap[i], V.load(pb))
                    s1.multiplyAdd(tap[i + 1], V.load(pb + step))
                    pb += 2 * step
                    i += 2
                }
                if i < groupChannels { s0.multiplyAdd(tap[i], V.load(pb)) }
            }
        }
        (s0 + s1).store(out, columns: columns, relu: epilogue.relu, affine: epilogue.affine, scale: scale, shift: shift)
    }

    for sample in 0..<batch {
        let image = input + sample * g.inputPixels * channels + channelOffset
        let sampleOutput = output + sample * g.outputPixels * ldc
        // Pixels waiting for a block of six: their first taps, and indices within the sample.
        var taps = (image, image, image, image, image, image)
        var pending = (0, 0, 0, 0, 0, 0)
        var count = 0
        for oy in 0..<g.outputHeight {
            let y0 = oy * g.strideY - g.padTop
            let rowInside = y0 >= 0 && y0 + (g.kernelHeight - 1) * g.dilationY < g.inputHeight
            for ox in 0..<g.outputWidth {
                let x0 = ox * g.strideX - g.padLeft
                let pixel = oy * g.outputWidth + ox
                guard rowInside, x0 >= 0, x0 + (g.kernelWidth - 1) * g.dilationX < g.inputWidth else {
                    single(image, oy, ox, sampleOutput + pixel * ldc)
                    continue
                }
                let first = image + (y0 * g.inputWidth + x0) * channels
                switch count {
                case 0: (taps.0, pending.0) = (first, pixel)
                case 1: (taps.1, pending.1) = (first, pixel)
                case 2: (taps.2, pending.2) = (first, pixel)
                case 3: (taps.3, pending.3) = (first, pixel)
                case 4: (taps.4, pending.4) = (first, pixel)
                default: (taps.5, pending.5) = (first, pixel)
                }
                count += 1
                if count == 6 {
                    block(taps.0, taps.1, taps.2, taps.3, taps.4, taps.5,
                          sampleOutput + pending.0 * ldc, sampleOutput + pending.1 * ldc, sampleOutput + pending.2 * ldc,
                          sampleOutput + pending.3 * ldc, sampleOutput + pending.4 * ldc, sampleOutput + pending.5 * ldc)
                    count = 0
                }
            }
        }
        // Fewer than six interior pixels left over.
        for slot in 0..<count {
            let pixel: Int
            switch slot {
            case 0: pixel = pending.0
            case 1: pixel = pending.1
            case 2: pixel = pending.2
            case 3: pixel = pending.3
            default: pixel = pending.4
            }
            single(image, pixel / g.outputWidth, pixel % g.outputWidth, sampleOutput + pixel * ldc)
        }
    }
}
