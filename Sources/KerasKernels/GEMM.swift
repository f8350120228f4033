// ----------------------------------------------------------------------------
// Matrix multiply for convolutions and dense layers: C = epilogue(A * B + bias).
//
// Legend: M rows of A and C (output pixels times batch), K the reduction (kernel height *
// width * input channels), N columns of B and C (output channels).
//
// B is the layer's weights, packed once at load into panels of W columns: W is two vector
// registers wide (16 floats with AVX2, 32 with AVX-512), narrower when N is (8 for N <= 8, 16
// for N <= 16) so narrow layers waste no lanes. Panel p holds B[0..<K, Wp..<Wp+W] as K rows of W
// contiguous floats, zero-padded past N. The micro-kernel keeps a 6 x W block of C in SIMD
// registers (12 accumulator registers at full width) and streams 6 rows of A and one panel.
//
// Build flag: with `-D KERASENGINE_FMA` (set together with a `-target-cpu` that has FMA) the
// inner product uses fused multiply-add; without it, a separate multiply and add, which is
// portable but about half the speed (a fused multiply-add without hardware support would be
// a library call per lane). With `-D KERASENGINE_AVX512` (set together with an AVX-512 target
// CPU) panels are 32 columns wide: SIMD32 is two 512-bit registers there, but four 256-bit ones
// under AVX2, where 6 x 4 accumulators would not fit in 16 registers.
// ----------------------------------------------------------------------------

/// Weights packed for `gemm`: panels of `width` columns.
public struct PackedMatrix {
    public let k: Int
    public let n: Int
    /// Columns per panel: 8, 16 or (AVX-512 builds) 32.
    public let width: Int

    /// The widest panel the build's vector registers hold twice over.
    #if KERASENGINE_AVX512
    public static let fullWidth = 32
    #else
    public static let fullWidth = 16
    #endif
    public var panels: Int { (n + width - 1) / width }
    /// For a convolution with at most 8 filters on an AVX-512 build: the number of taps in a
    /// kernel row (rows of B whose inputs are contiguous), whose weights are packed in pairs for
    /// `pairedTapConvolution`. Nil otherwise.
    public let pairedRowTaps: Int?
    /// panels * k * width floats; with `pairedRowTaps`, per kernel row, ceil(pairedRowTaps / 2)
    /// blocks of 16 floats: rows t and t + 1 interleaved column by column (lane 2j is B[t, j],
    /// lane 2j + 1 is B[t + 1, j]), a lone last row paired with zeros.
    private(set) var data: [Float]
    /// panels * width floats: the bias per column, zeros where there is none.
    private(set) var bias: [Float]
    /// panels * width floats each: a per-column scale and shift applied after the ReLU (a batch
    /// normalization that follows the activation), identity by default.
    private(set) var postScale: [Float]
    private(set) var postShift: [Float]

    /// Packs the K x N matrix whose element (row, column) is `element(row, column)`.
    /// `kernelRowTaps`: for a convolution whose taps of one kernel row are contiguous in the
    /// input, their number (K is a multiple of it), so that narrow layers can use tap pairs.
    public init(k: Int, n: Int, bias: [Float]?, kernelRowTaps: Int? = nil, element: (Int, Int) -> Float) {
        self.k = k
        self.n = n
        let width = n <= 8 ? 8 : n <= 16 ? 16 : PackedMatrix.fullWidth
        self.width = width
        #if KERASENGINE_AVX512
        pairedRowTaps = width == 8 ? kernelRowTaps.flatMap { $0 > 0 && k % $0 == 0 ? $0 : nil } : nil
        #else
        pairedRowTaps = nil
        #endif
        let panels = (n + width - 1) / width
        var data = [Float](repeating: 0, count: panels * width * (pairedRowTaps.map { k / $0 * (($0 + 1) / 2) * 2 } ?? k))
        for column in 0..<n {
            for row in 0..<k { data[Self.offset(row, column, k: k, width: width, pairedRowTaps: pairedRowTaps)] = element(row, column) }
        }
        var padded = [Float](repeating: 0, count: panels * width)
        if let bias { for column in 0..<n { padded[column] = bias[column] } }
        self.data = data
        self.bias = padded
        postScale = [Float](repeating: 1, count: panels * width)
        postShift = [Float](repeating: 0, count: panels * width)
    }

    /// Where B[row, column] is in `data`.
    private static func offset(_ row: Int, _ column: Int, k: Int, width: Int, pairedRowTaps: Int?) -> Int {
        let panel = column / width, lane = column % width
        guard let taps = pairedRowTaps else { return (panel * k + row) * width + lane }
        let kernelRow = row / taps, tap = row % taps
        return (kernelRow * ((taps + 1) / 2) + tap / 2) * 16 + lane * 2 + tap % 2
    }

    /// Multiplies column `j` by `scale[j]` and sets its bias to `bias[j] * scale[j] + shift[j]`.
    public mutating func scaleColumns(scale: [Float], shift: [Float]) {
        for column in 0..<n {
            for row in 0..<k { data[Self.offset(row, column, k: k, width: width, pairedRowTaps: pairedRowTaps)] *= scale[column] }
            bias[column] = bias[column] * scale[column] + shift[column]
        }
    }

    /// Runs `body` with the storage of the weights, bias, post-scale and post-shift (not at all
    /// when the matrix is empty).
    @inline(__always)
    public func withPointers(_ body: (_ data: UnsafePointer<Float>, _ bias: UnsafePointer<Float>, _ scale: UnsafePointer<Float>,
                                      _ shift: UnsafePointer<Float>) -> Void) {
        data.withUnsafeBufferPointer { data in
            bias.withUnsafeBufferPointer { bias in
                postScale.withUnsafeBufferPointer { scale in
                    postShift.withUnsafeBufferPointer { shift in
                        guard let data = data.baseAddress, let bias = bias.baseAddress,
                              let scale = scale.baseAddress, let shift = shift.baseAddress else { return }
                        body(data, bias, scale, shift)
                    }
                }
            }
        }
    }

    /// Runs `kernel` on each panel, on vectors as wide as the panel (32 columns: two 16-wide
    /// registers).
    @inline(__always)
    func forEachPanel<Kernel: PanelKernel>(_ kernel: Kernel) {
        withPointers { packed, bias, scale, shift in
            for index in 0..<panels {
                let offset = index * width
                let panel = PackedPanel(weights: packed + index * k * width, bias: bias + offset, scale: scale + offset,
                                        shift: shift + offset, offset: offset, columns: min(width, n - offset))
                switch width {
                case 32: kernel.run(VectorPair<SIMD16<Float>>.self, panel)
                case 16: kernel.run(SIMD16<Float>.self, panel)
                default: kernel.run(SIMD8<Float>.self, panel)
                }
            }
        }
    }

    public mutating func setPostAffine(scale: [Float], shift: [Float]) {
        for column in 0..<n {
            postScale[column] = scale[column]
            postShift[column] = shift[column]
        }
    }
}

/// What `gemm` applies to each result before storing it: `max(x, 0)` if `relu`, then
/// `x * postScale + postShift` if `affine`.
/// One panel of a `PackedMatrix`: its packed weights; bias, post-scale and post-shift from its
/// first column (`offset`) on; and how many of its columns are real (the last panel's may be
/// fewer than the width).
struct PackedPanel {
    let weights, bias, scale, shift: UnsafePointer<Float>
    let offset: Int
    let columns: Int
}

/// A computation done panel by panel (`PackedMatrix.forEachPanel`), on vectors of type `V`.
protocol PanelKernel {
    func run<V: KernelVector>(_: V.Type, _ panel: PackedPanel)
}

public struct GEMMEpilogue {
    public var relu = false
    public var affine = false

    public init(relu: Bool = false, affine: Bool = false) {
        self.relu = relu
        self.affine = affine
    }
}

/// C[i, j] = epilogue(sum_k A[i, k] * B[k, j] + bias[j]) for i < m, j < n.
/// A has row stride `lda`, C row stride `ldc`.
public func gemm(m: Int, a: UnsafePointer<Float>, lda: Int, b: PackedMatrix,
                 c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: GEMMEpilogue) {
    precondition(b.pairedRowTaps == nil, "weights packed in tap pairs are for pairedTapConvolution")
    b.forEachPanel(GEMMKernel(m: m, k: b.k, a: a, lda: lda, c: c, ldc: ldc, epilogue: epilogue))
}

private struct GEMMKernel: PanelKernel {
    let m: Int, k: Int
    let a: UnsafePointer<Float>, lda: Int
    let c: UnsafeMutablePointer<Float>, ldc: Int
    let epilogue: GEMMEpilogue

    @inline(__always)
    func run<V: KernelVector>(_: V.Type, _ panel: PackedPanel) {
        gemmPanel(V.self, m: m, k: k, a: a, lda: lda, panel: panel.weights, bias: panel.bias, scale: panel.scale,
                  shift: panel.shift, columns: panel.columns, c: c + panel.offset, ldc: ldc, epilogue: epilogue)
    }
}

/// One panel of C: 6 rows at a time in registers, then the remaining one or two rows one by one.
@inline(__always)
private func gemmPanel<V: KernelVector>(_: V.Type, m: Int, k: Int, a: UnsafePointer<Float>, lda: Int, panel: UnsafePointer<Float>,
                                bias biasPointer: UnsafePointer<Float>, scale scalePointer: UnsafePointer<Float>,
                                shift shiftPointer: UnsafePointer<Float>, columns: Int,
                                c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: GEMMEpilogue) {
    let step = V.width * MemoryLayout<Float>.stride
    let bias = V.load(biasPointer)
    let scale = V.load(scalePointer)
    let shift = V.load(shiftPointer)
    var row = 0
    // A tail of three to five rows runs as a block too, its missing rows repeating the last
    // real one (computed twice, stored twice with the same value): one more pass over the
    // panel instead of one per row. On a 6x6 map's nine Winograd tiles, where the weights
    // come from beyond L1, that is two passes instead of four.
    while m - row >= 3 {
        func at(_ i: Int) -> Int { min(row + i, m - 1) }
        let a0 = a + at(0) * lda, a1 = a + at(1) * lda, a2 = a + at(2) * lda
        let a3 = a + at(3) * lda, a4 = a + at(4) * lda, a5 = a + at(5) * lda
        var rows = SixRows(bias)
        var pb = UnsafeRawPointer(panel)
        for kk in 0..<k {
            rows.multiplyAdd(a0[kk], a1[kk], a2[kk], a3[kk], a4[kk], a5[kk], V.load(pb))
            pb += step
        }
        rows.store(c + at(0) * ldc, c + at(1) * ldc, c + at(2) * ldc, c + at(3) * ldc, c + at(4) * ldc, c + at(5) * ldc,
                   columns: columns, epilogue: epilogue, scale: scale, shift: shift)
        row = min(row + 6, m)
    }
    while row < m {
        let a0 = a + row * lda
        // Four partial sums over k so a lone row is not bound by the multiply-add latency.
        var s0 = bias, s1 = V(), s2 = V(), s3 = V()
        var pb = UnsafeRawPointer(panel)
        var kk = 0
        while kk + 4 <= k {
            s0.multiplyAdd(a0[kk], V.load(pb))
            s1.multiplyAdd(a0[kk + 1], V.load(pb + step))
            s2.multiplyAdd(a0[kk + 2], V.load(pb + 2 * step))
            s3.multiplyAdd(a0[kk + 3], V.load(pb + 3 * step))
            pb += 4 * step
            kk += 4
        }
        while kk < k {
            s0.multiplyAdd(a0[kk], V.load(pb))
            pb += step
            kk += 1
        }
        ((s0 + s1) + (s2 + s3)).store(c + row * ldc, columns: columns, relu: epilogue.relu, affine: epilogue.affine, scale: scale, shift: shift)
        row += 1
    }
}
