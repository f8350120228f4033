// ----------------------------------------------------------------------------
// Matrix multiply for convolutions and dense layers: C = epilogue(A * B + bias).
//
// Legend: M rows of A and C (output pixels times batch), K the reduction (kernel height *
// width * input channels), N columns of B and C (output channels).
//
// B is the layer's weights, packed once at load into panels of W columns (W = 16, or 8 when
// N <= 8 so narrow layers waste no lanes): panel p holds B[0..<K, Wp..<Wp+W] as K rows of W
// contiguous floats, zero-padded past N. The micro-kernel keeps a 6 x W block of C in SIMD
// registers and streams 6 rows of A and one panel.
//
// Build flag: with `-D KERASENGINE_FMA` (set together with a `-target-cpu` that has FMA) the
// inner product uses fused multiply-add; without it, a separate multiply and add, which is
// portable but about half the speed (a fused multiply-add without hardware support would be
// a library call per lane).
// ----------------------------------------------------------------------------

/// Weights packed for `gemm`: panels of `width` columns.
struct PackedMatrix {
    let k: Int
    let n: Int
    /// Columns per panel: 8 or 16.
    let width: Int
    var panels: Int { (n + width - 1) / width }
    /// panels * k * width floats.
    private(set) var data: [Float]
    /// panels * width floats: the bias per column, zeros where there is none.
    private(set) var bias: [Float]
    /// panels * width floats each: a per-column scale and shift applied after the ReLU (a batch
    /// normalization that follows the activation), identity by default.
    private(set) var postScale: [Float]
    private(set) var postShift: [Float]

    /// Packs the K x N matrix whose element (row, column) is `element(row, column)`.
    init(k: Int, n: Int, bias: [Float]?, element: (Int, Int) -> Float) {
        self.k = k
        self.n = n
        let width = n <= 8 ? 8 : 16
        self.width = width
        let panels = (n + width - 1) / width
        var data = [Float](repeating: 0, count: panels * k * width)
        for panel in 0..<panels {
            for row in 0..<k {
                for lane in 0..<width where panel * width + lane < n {
                    data[(panel * k + row) * width + lane] = element(row, panel * width + lane)
                }
            }
        }
        var padded = [Float](repeating: 0, count: panels * width)
        if let bias { for column in 0..<n { padded[column] = bias[column] } }
        self.data = data
        self.bias = padded
        postScale = [Float](repeating: 1, count: panels * width)
        postShift = [Float](repeating: 0, count: panels * width)
    }

    /// Multiplies column `j` by `scale[j]` and sets its bias to `bias[j] * scale[j] + shift[j]`.
    mutating func scaleColumns(scale: [Float], shift: [Float]) {
        for column in 0..<n {
            let panel = column / width, lane = column % width
            for row in 0..<k { data[(panel * k + row) * width + lane] *= scale[column] }
            bias[column] = bias[column] * scale[column] + shift[column]
        }
    }

    mutating func setPostAffine(scale: [Float], shift: [Float]) {
        for column in 0..<n {
            postScale[column] = scale[column]
            postShift[column] = shift[column]
        }
    }
}

/// What `gemm` applies to each result before storing it: `max(x, 0)` if `relu`, then
/// `x * postScale + postShift` if `affine`.
struct GEMMEpilogue {
    var relu = false
    var affine = false
}

/// C[i, j] = epilogue(sum_k A[i, k] * B[k, j] + bias[j]) for i < m, j < n.
/// A has row stride `lda`, C row stride `ldc`.
func gemm(m: Int, a: UnsafePointer<Float>, lda: Int, b: PackedMatrix,
          c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: GEMMEpilogue) {
    b.data.withUnsafeBufferPointer { packed in
        b.bias.withUnsafeBufferPointer { bias in
            b.postScale.withUnsafeBufferPointer { scale in
                b.postShift.withUnsafeBufferPointer { shift in
                    guard let packed = packed.baseAddress, let bias = bias.baseAddress,
                          let scale = scale.baseAddress, let shift = shift.baseAddress else { return }
                    for panel in 0..<b.panels {
                        let offset = panel * b.width
                        let columns = min(b.width, b.n - offset)
                        if b.width == 16 {
                            gemmPanel(SIMD16<Float>.self, m: m, k: b.k, a: a, lda: lda, panel: packed + panel * b.k * b.width,
                                      bias: bias + offset, scale: scale + offset, shift: shift + offset,
                                      columns: columns, c: c + offset, ldc: ldc, epilogue: epilogue)
                        } else {
                            gemmPanel(SIMD8<Float>.self, m: m, k: b.k, a: a, lda: lda, panel: packed + panel * b.k * b.width,
                                      bias: bias + offset, scale: scale + offset, shift: shift + offset,
                                      columns: columns, c: c + offset, ldc: ldc, epilogue: epilogue)
                        }
                    }
                }
            }
        }
    }
}

// `@_transparent` rather than `@inline(__always)`: these generic helpers are otherwise left as
// calls after specialization, which costs a quarter of the GEMM's time.
@_transparent
private func multiplyAdd<V: SIMD>(_ accumulator: inout V, _ a: Float, _ b: V) where V.Scalar == Float {
    #if KERASENGINE_FMA
    accumulator = accumulator.addingProduct(V(repeating: a), b)
    #else
    accumulator += V(repeating: a) * b
    #endif
}

@_transparent
private func store<V: SIMD>(_ value: V, _ c: UnsafeMutablePointer<Float>, columns: Int, epilogue: GEMMEpilogue,
                            scale: V, shift: V) where V.Scalar == Float {
    var v = value
    if epilogue.relu { v = simdRelu(v) }
    if epilogue.affine { v = v * scale + shift }
    if columns == V.scalarCount {
        UnsafeMutableRawPointer(c).storeBytes(of: v, as: V.self)
    } else {
        for lane in 0..<columns { c[lane] = v[lane] }
    }
}

/// One panel of C: 6 rows at a time in registers, then the remaining rows one by one.
@inline(__always)
private func gemmPanel<V: SIMD>(_: V.Type, m: Int, k: Int, a: UnsafePointer<Float>, lda: Int, panel: UnsafePointer<Float>,
                                bias biasPointer: UnsafePointer<Float>, scale scalePointer: UnsafePointer<Float>,
                                shift shiftPointer: UnsafePointer<Float>, columns: Int,
                                c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: GEMMEpilogue) where V.Scalar == Float {
    let step = V.scalarCount * MemoryLayout<Float>.stride
    let bias = UnsafeRawPointer(biasPointer).loadUnaligned(as: V.self)
    let scale = UnsafeRawPointer(scalePointer).loadUnaligned(as: V.self)
    let shift = UnsafeRawPointer(shiftPointer).loadUnaligned(as: V.self)
    var row = 0
    while row + 6 <= m {
        let a0 = a + row * lda, a1 = a0 + lda, a2 = a1 + lda
        let a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda
        var c0 = bias, c1 = bias, c2 = bias, c3 = bias, c4 = bias, c5 = bias
        var pb = UnsafeRawPointer(panel)
        for kk in 0..<k {
            let bv = pb.loadUnaligned(as: V.self)
            multiplyAdd(&c0, a0[kk], bv)
            multiplyAdd(&c1, a1[kk], bv)
            multiplyAdd(&c2, a2[kk], bv)
            multiplyAdd(&c3, a3[kk], bv)
            multiplyAdd(&c4, a4[kk], bv)
            multiplyAdd(&c5, a5[kk], bv)
            pb += step
        }
        let out = c + row * ldc
        store(c0, out, columns: columns, epilogue: epilogue, scale: scale, shift: shift)
        store(c1, out + ldc, columns: columns, epilogue: epilogue, scale: scale, shift: shift)
        store(c2, out + 2 * ldc, columns: columns, epilogue: epilogue, scale: scale, shift: shift)
        store(c3, out + 3 * ldc, columns: columns, epilogue: epilogue, scale: scale, shift: shift)
        store(c4, out + 4 * ldc, columns: columns, epilogue: epilogue, scale: scale, shift: shift)
        store(c5, out + 5 * ldc, columns: columns, epilogue: epilogue, scale: scale, shift: shift)
        row += 6
    }
    while row < m {
        let a0 = a + row * lda
        // Four partial sums over k so a lone row is not bound by the multiply-add latency.
        var s0 = bias, s1 = V(), s2 = V(), s3 = V()
        var pb = UnsafeRawPointer(panel)
        var kk = 0
        while kk + 4 <= k {
            multiplyAdd(&s0, a0[kk], pb.loadUnaligned(as: V.self))
            multiplyAdd(&s1, a0[kk + 1], (pb + step).loadUnaligned(as: V.self))
            multiplyAdd(&s2, a0[kk + 2], (pb + 2 * step).loadUnaligned(as: V.self))
            multiplyAdd(&s3, a0[kk + 3], (pb + 3 * step).loadUnaligned(as: V.self))
            pb += 4 * step
            kk += 4
        }
        while kk < k {
            multiplyAdd(&s0, a0[kk], pb.loadUnaligned(as: V.self))
            pb += step
            kk += 1
        }
        store((s0 + s1) + (s2 + s3), c + row * ldc, columns: columns, epilogue: epilogue, scale: scale, shift: shift)
        row += 1
    }
}
