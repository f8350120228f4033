// ----------------------------------------------------------------------------
// Convolution as an implicit GEMM: the rows of A (one per output pixel) are read straight
// from the NHWC input instead of being copied out by im2col.
//
// Six horizontally adjacent output pixels whose windows lie inside the image (horizontally)
// share each packed weight row loaded: C[6 x W] += a(pixel, tap) * B[tap, 0..<W], with the
// taps of one kernel row contiguous in the input when the dilation is 1 and the group is all
// channels. Rows of the kernel that fall outside the image (vertical padding) are skipped,
// since they would only add zeros. Pixels near the left and right edges take a one-pixel path
// over the taps that fall inside.
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
                        if b.width == 16 {
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

@_transparent
private func fma<V: SIMD>(_ accumulator: inout V, _ a: Float, _ b: V) where V.Scalar == Float {
    #if KERASENGINE_FMA
    accumulator = accumulator.addingProduct(V(repeating: a), b)
    #else
    accumulator += V(repeating: a) * b
    #endif
}

@_transparent
private func put<V: SIMD>(_ value: V, _ c: UnsafeMutablePointer<Float>, _ columns: Int, _ epilogue: GEMMEpilogue,
                          _ scale: V, _ shift: V) where V.Scalar == Float {
    var v = value
    if epilogue.relu { v = simdRelu(v) }
    if epilogue.affine { v = v * scale + shift }
    if columns == V.scalarCount {
        UnsafeMutableRawPointer(c).storeBytes(of: v, as: V.self)
    } else {
        for lane in 0..<columns { c[lane] = v[lane] }
    }
}

private func convolutionPanel<V: SIMD>(_: V.Type, _ input: UnsafePointer<Float>, _ g: WindowGeometry, _ channelOffset: Int,
                                       _ groupChannels: Int, _ batch: Int, _ weights: UnsafePointer<Float>,
                                       _ biasPointer: UnsafePointer<Float>, _ scalePointer: UnsafePointer<Float>,
                                       _ shiftPointer: UnsafePointer<Float>, _ columns: Int,
                                       _ output: UnsafeMutablePointer<Float>, _ ldc: Int, _ epilogue: GEMMEpilogue) where V.Scalar == Float {
    let width = V.scalarCount
    let bias = UnsafeRawPointer(biasPointer).loadUnaligned(as: V.self)
    let scale = UnsafeRawPointer(scalePointer).loadUnaligned(as: V.self)
    let shift = UnsafeRawPointer(shiftPointer).loadUnaligned(as: V.self)
    let channels = g.channels
    let pixelStride = g.strideX * channels
    // Taps of one kernel row are contiguous in the input: one flat loop of kw * I.
    let contiguous = g.dilationX == 1 && groupChannels == channels
    let rowTaps = g.kernelWidth * groupChannels
    for sample in 0..<batch {
        let image = input + sample * g.inputPixels * channels + channelOffset
        for oy in 0..<g.outputHeight {
            let y0 = oy * g.strideY - g.padTop
            let kyStart = y0 >= 0 ? 0 : (-y0 + g.dilationY - 1) / g.dilationY
            let kyEnd = max(min(g.kernelHeight, (g.inputHeight - y0 + g.dilationY - 1) / g.dilationY), kyStart)
            var out = output + ((sample * g.outputHeight + oy) * g.outputWidth) * ldc
            var ox = 0
            while ox < g.outputWidth {
                let x0 = ox * g.strideX - g.padLeft
                if ox + 6 <= g.outputWidth, x0 >= 0, x0 + 5 * g.strideX + (g.kernelWidth - 1) * g.dilationX < g.inputWidth {
                    var c0 = bias, c1 = bias, c2 = bias, c3 = bias, c4 = bias, c5 = bias
                    for ky in kyStart..<kyEnd {
                        let a0 = image + ((y0 + ky * g.dilationY) * g.inputWidth + x0) * channels
                        let a1 = a0 + pixelStride, a2 = a1 + pixelStride, a3 = a2 + pixelStride
                        let a4 = a3 + pixelStride, a5 = a4 + pixelStride
                        var pb = UnsafeRawPointer(weights + ky * rowTaps * width)
                        if contiguous {
                            for t in 0..<rowTaps {
                                let bv = pb.loadUnaligned(as: V.self)
                                fma(&c0, a0[t], bv)
                                fma(&c1, a1[t], bv)
                                fma(&c2, a2[t], bv)
                                fma(&c3, a3[t], bv)
                                fma(&c4, a4[t], bv)
                                fma(&c5, a5[t], bv)
                                pb += width * MemoryLayout<Float>.stride
                            }
                        } else {
                            for kx in 0..<g.kernelWidth {
                                let tap = kx * g.dilationX * channels
                                for i in 0..<groupChannels {
                                    let bv = pb.loadUnaligned(as: V.self)
                                    fma(&c0, a0[tap + i], bv)
                                    fma(&c1, a1[tap + i], bv)
                                    fma(&c2, a2[tap + i], bv)
                                    fma(&c3, a3[tap + i], bv)
                                    fma(&c4, a4[tap + i], bv)
                                    fma(&c5, a5[tap + i], bv)
                                    pb += width * MemoryLayout<Float>.stride
                                }
                            }
                        }
                    }
                    put(c0, out, columns, epilogue, scale, shift)
                    put(c1, out + ldc, columns, epilogue, scale, shift)
                    put(c2, out + 2 * ldc, columns, epilogue, scale, shift)
                    put(c3, out + 3 * ldc, columns, epilogue, scale, shift)
                    put(c4, out + 4 * ldc, columns, epilogue, scale, shift)
                    put(c5, out + 5 * ldc, columns, epilogue, scale, shift)
                    out += 6 * ldc
                    ox += 6
                } else {
                    // One pixel, over the taps inside the image; two partial sums.
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
                                fma(&s0, tap[i], pb.loadUnaligned(as: V.self))
                                fma(&s1, tap[i + 1], (pb + width * MemoryLayout<Float>.stride).loadUnaligned(as: V.self))
                                pb += 2 * width * MemoryLayout<Float>.stride
                                i += 2
                            }
                            if i < groupChannels { fma(&s0, tap[i], pb.loadUnaligned(as: V.self)) }
                        }
                    }
                    put(s0 + s1, out, columns, epilogue, scale, shift)
                    out += ldc
                    ox += 1
                }
            }
        }
    }
}
