// ----------------------------------------------------------------------------
// Matrix multiply for convolutions and dense layers: C = A * B + bias.
//
// Legend: M rows of A and C (output pixels times batch), K the reduction (kernel height *
// width * input channels), N columns of B and C (output channels).
//
// B is the layer's weights, packed once at load into panels of 16 columns: panel p holds
// B[0..<K, 16p..<16p+16] as K rows of 16 contiguous floats, zero-padded past N. The
// micro-kernel keeps a 6 x 16 block of C in SIMD registers and streams A's 6 rows and one panel.
//
// Build flag: with `-D KERASENGINE_FMA` (set together with a `-target-cpu` that has FMA) the
// inner product uses fused multiply-add; without it, a separate multiply and add, which is
// portable but about half the speed.
// ----------------------------------------------------------------------------

/// Weights packed for `gemm`: panels of `PackedMatrix.width` columns.
struct PackedMatrix {
    static let width = 16
    let k: Int
    let n: Int
    var panels: Int { (n + PackedMatrix.width - 1) / PackedMatrix.width }
    /// panels * k * width floats.
    private(set) var data: [Float]
    /// panels * width floats: the bias per column, zeros where there is none.
    private(set) var bias: [Float]

    /// Packs the K x N matrix whose element (row, column) is `element(row, column)`.
    init(k: Int, n: Int, bias: [Float]?, element: (Int, Int) -> Float) {
        self.k = k
        self.n = n
        let width = PackedMatrix.width
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
    }

    /// Multiplies column `j` by `scale[j]` and sets its bias to `bias[j] * scale[j] + shift[j]`.
    mutating func scaleColumns(scale: [Float], shift: [Float]) {
        let width = PackedMatrix.width
        for column in 0..<n {
            let panel = column / width, lane = column % width
            for row in 0..<k { data[(panel * k + row) * width + lane] *= scale[column] }
            bias[column] = bias[column] * scale[column] + shift[column]
        }
    }
}

typealias Vector16 = SIMD16<Float>

@inline(__always)
private func multiplyAdd(_ accumulator: inout Vector16, _ a: Float, _ b: Vector16) {
    #if KERASENGINE_FMA
    accumulator = accumulator.addingProduct(Vector16(repeating: a), b)
    #else
    accumulator += Vector16(repeating: a) * b
    #endif
}

@inline(__always)
private func store(_ value: Vector16, _ c: UnsafeMutablePointer<Float>, columns: Int, relu: Bool) {
    var v = value
    if relu { v = v.replacing(with: 0, where: v .< 0) }
    if columns == PackedMatrix.width {
        UnsafeMutableRawPointer(c).storeBytes(of: v, as: Vector16.self)
    } else {
        for lane in 0..<columns { c[lane] = v[lane] }
    }
}

/// C[i, j] = sum_k A[i, k] * B[k, j] + bias[j] for i < m, j < n; `relu` clamps at zero.
/// A has row stride `lda`, C row stride `ldc`.
func gemm(m: Int, a: UnsafePointer<Float>, lda: Int, b: PackedMatrix,
          c: UnsafeMutablePointer<Float>, ldc: Int, relu: Bool) {
    let k = b.k
    let width = PackedMatrix.width
    b.data.withUnsafeBufferPointer { packed in
        b.bias.withUnsafeBufferPointer { biases in
            guard let packedBase = packed.baseAddress, let biasBase = biases.baseAddress else { return }
            for panel in 0..<b.panels {
                let bPanel = UnsafeRawPointer(packedBase + panel * k * width)
                let bias = UnsafeRawPointer(biasBase + panel * width).loadUnaligned(as: Vector16.self)
                let columns = min(width, b.n - panel * width)
                let cPanel = c + panel * width
                var row = 0
                while row + 6 <= m {
                    let a0 = a + row * lda, a1 = a0 + lda, a2 = a1 + lda
                    let a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda
                    var c0 = bias, c1 = bias, c2 = bias, c3 = bias, c4 = bias, c5 = bias
                    var pb = bPanel
                    for kk in 0..<k {
                        let bv = pb.loadUnaligned(as: Vector16.self)
                        multiplyAdd(&c0, a0[kk], bv)
                        multiplyAdd(&c1, a1[kk], bv)
                        multiplyAdd(&c2, a2[kk], bv)
                        multiplyAdd(&c3, a3[kk], bv)
                        multiplyAdd(&c4, a4[kk], bv)
                        multiplyAdd(&c5, a5[kk], bv)
                        pb += width * MemoryLayout<Float>.stride
                    }
                    let out = cPanel + row * ldc
                    store(c0, out, columns: columns, relu: relu)
                    store(c1, out + ldc, columns: columns, relu: relu)
                    store(c2, out + 2 * ldc, columns: columns, relu: relu)
                    store(c3, out + 3 * ldc, columns: columns, relu: relu)
                    store(c4, out + 4 * ldc, columns: columns, relu: relu)
                    store(c5, out + 5 * ldc, columns: columns, relu: relu)
                    row += 6
                }
                while row < m {
                    let a0 = a + row * lda
                    var c0 = bias
                    var pb = bPanel
                    for kk in 0..<k {
                        multiplyAdd(&c0, a0[kk], pb.loadUnaligned(as: Vector16.self))
                        pb += width * MemoryLayout<Float>.stride
                    }
                    store(c0, cPanel + row * ldc, columns: columns, relu: relu)
                    row += 1
                }
            }
        }
    }
}
