// ----------------------------------------------------------------------------
// The tile transforms of `winogradConvolution`: V = B^T d B on each input tile and
// Y = A^T M A on each tile of products, for F(2x2, 3x3) and F(4x4, 3x3), channel vectors at
// a time. The matrices are Lavin and Gray's (2016); the F(4x4) ones are evaluated with shared
// partial sums, as in their paper and NNPACK, in 12 to 14 adds per six values instead of 20.
// ----------------------------------------------------------------------------

/// Where a tile's outputs go: the first `rows` x `columns` of them exist (the last tiles of a
/// map whose size is not a multiple of the tile have fewer).
struct WinogradOutputs {
    let topLeft: UnsafeMutablePointer<Float>
    let rowStride: Int, pixelStride: Int
    let rows: Int, columns: Int
}

/// What the output transform adds and applies per filter: the bias, then the epilogue (ReLU,
/// post-activation affine).
struct WinogradAffine {
    let bias, scale, shift: UnsafePointer<Float>
    let epilogue: GEMMEpilogue
}

/// Channels a step: vectors for the bulk of them, single floats for the rest.
protocol WinogradLane {
    init(broadcast: Float)
    static func load(_ pointer: UnsafePointer<Float>) -> Self
    func store(_ pointer: UnsafeMutablePointer<Float>)
    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Self, rhs: Self) -> Self
    var relu: Self { get }
}

extension Float: WinogradLane {
    @_transparent init(broadcast: Float) { self = broadcast }
    @_transparent static func load(_ pointer: UnsafePointer<Float>) -> Float { pointer.pointee }
    @_transparent func store(_ pointer: UnsafeMutablePointer<Float>) { pointer.pointee = self }
    @_transparent var relu: Float { self > 0 ? self : 0 }
}

extension SIMD16: WinogradLane where Scalar == Float {
    @_transparent init(broadcast: Float) { self.init(repeating: broadcast) }
    @_transparent static func load(_ pointer: UnsafePointer<Float>) -> Self { UnsafeRawPointer(pointer).loadUnaligned(as: Self.self) }
    @_transparent func store(_ pointer: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(pointer).storeBytes(of: self, as: Self.self) }
    @_transparent var relu: Self { simdRelu(self) }
}

extension SIMD8: WinogradLane where Scalar == Float {
    @_transparent init(broadcast: Float) { self.init(repeating: broadcast) }
    @_transparent static func load(_ pointer: UnsafePointer<Float>) -> Self { UnsafeRawPointer(pointer).loadUnaligned(as: Self.self) }
    @_transparent func store(_ pointer: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(pointer).storeBytes(of: self, as: Self.self) }
    @_transparent var relu: Self { simdRelu(self) }
}

extension WinogradLane {
    /// The epilogue on one output: bias, ReLU, affine, stored at `pointer`.
    @_transparent
    func finish(_ affine: WinogradAffine, _ o: Int, to pointer: UnsafeMutablePointer<Float>) {
        var v = self + Self.load(affine.bias + o)
        if affine.epilogue.relu { v = v.relu }
        if affine.epilogue.affine { v = v * Self.load(affine.scale + o) + Self.load(affine.shift + o) }
        v.store(pointer + o)
    }
}

/// Runs `wide` on channel offsets `0..<count` a wide vector of them at a time, `narrow` on a
/// remaining eight (24 channels, common in small nets, would otherwise leave a third of the
/// work to single floats), then `scalar` one by one.
@inline(__always)
private func forEachLane(_ count: Int, wide: (Int) -> Void, narrow: (Int) -> Void, scalar: (Int) -> Void) {
    var c = 0
    while c + WideVector.scalarCount <= count {
        wide(c)
        c += WideVector.scalarCount
    }
    if WideVector.scalarCount > 8 && c + 8 <= count {
        narrow(c)
        c += 8
    }
    while c < count {
        scalar(c)
        c += 1
    }
}

// MARK: F(2x2, 3x3)

/// V = B^T d B for the 4x4 tile whose pixels (row-major) are at `taps`, element e to
/// `out + e * elementStride`. B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]].
func winogradInputF2(_ taps: UnsafePointer<UnsafePointer<Float>>, channels: Int, to out: UnsafeMutablePointer<Float>,
                     elementStride: Int) {
    forEachLane(channels, wide: { inputF2(WideVector.self, taps, $0, out, elementStride) },
                narrow: { inputF2(SIMD8<Float>.self, taps, $0, out, elementStride) },
                scalar: { inputF2(Float.self, taps, $0, out, elementStride) })
}

@inline(__always)
private func inputF2<L: WinogradLane>(_: L.Type, _ p: UnsafePointer<UnsafePointer<Float>>, _ c: Int,
                                      _ out: UnsafeMutablePointer<Float>, _ stride: Int) {
    func d(_ row: Int, _ column: Int) -> L { L.load(p[4 * row + column] + c) }
    // B^T d: rows.
    let (a00, a01, a02, a03) = (d(0, 0) - d(2, 0), d(0, 1) - d(2, 1), d(0, 2) - d(2, 2), d(0, 3) - d(2, 3))
    let (a10, a11, a12, a13) = (d(1, 0) + d(2, 0), d(1, 1) + d(2, 1), d(1, 2) + d(2, 2), d(1, 3) + d(2, 3))
    let (a20, a21, a22, a23) = (d(2, 0) - d(1, 0), d(2, 1) - d(1, 1), d(2, 2) - d(1, 2), d(2, 3) - d(1, 3))
    let (a30, a31, a32, a33) = (d(1, 0) - d(3, 0), d(1, 1) - d(3, 1), d(1, 2) - d(3, 2), d(1, 3) - d(3, 3))
    // (B^T d) B: columns.
    let o = out + c
    func row(_ r: Int, _ x0: L, _ x1: L, _ x2: L, _ x3: L) {
        (x0 - x2).store(o + (4 * r) * stride)
        (x1 + x2).store(o + (4 * r + 1) * stride)
        (x2 - x1).store(o + (4 * r + 2) * stride)
        (x1 - x3).store(o + (4 * r + 3) * stride)
    }
    row(0, a00, a01, a02, a03)
    row(1, a10, a11, a12, a13)
    row(2, a20, a21, a22, a23)
    row(3, a30, a31, a32, a33)
}

/// Y = A^T M A for one tile, M's element e at `products + e * elementStride`, then
/// `WinogradAffine`. A^T = [[1, 1, 1, 0], [0, 1, -1, -1]].
func winogradOutputF2(_ products: UnsafePointer<Float>, elementStride: Int, filters: Int, to out: WinogradOutputs,
                      affine: WinogradAffine) {
    forEachLane(filters, wide: { outputF2(WideVector.self, products, $0, elementStride, out, affine) },
                narrow: { outputF2(SIMD8<Float>.self, products, $0, elementStride, out, affine) },
                scalar: { outputF2(Float.self, products, $0, elementStride, out, affine) })
}

@inline(__always)
private func outputF2<L: WinogradLane>(_: L.Type, _ m: UnsafePointer<Float>, _ o: Int, _ stride: Int, _ out: WinogradOutputs,
                                       _ affine: WinogradAffine) {
    func element(_ e: Int) -> L { L.load(m + e * stride + o) }
    // A^T M: rows.
    let (m00, m01, m02, m03) = (element(0), element(1), element(2), element(3))
    let (m10, m11, m12, m13) = (element(4), element(5), element(6), element(7))
    let (m20, m21, m22, m23) = (element(8), element(9), element(10), element(11))
    let (m30, m31, m32, m33) = (element(12), element(13), element(14), element(15))
    let (s00, s01, s02, s03) = (m00 + m10 + m20, m01 + m11 + m21, m02 + m12 + m22, m03 + m13 + m23)
    let (s10, s11, s12, s13) = (m10 - m20 - m30, m11 - m21 - m31, m12 - m22 - m32, m13 - m23 - m33)
    // (A^T M) A: columns.
    func put(_ y: L, _ row: Int, _ column: Int) {
        guard row < out.rows, column < out.columns else { return }
        y.finish(affine, o, to: out.topLeft + row * out.rowStride + column * out.pixelStride)
    }
    put(s00 + s01 + s02, 0, 0)
    put(s01 - s02 - s03, 0, 1)
    put(s10 + s11 + s12, 1, 0)
    put(s11 - s12 - s13, 1, 1)
}

// MARK: F(4x4, 3x3)

/// B^T x for six values: B^T = [[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0],
/// [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]].
@inline(__always)
private func inputTransform6<L: WinogradLane>(_ x: (L, L, L, L, L, L)) -> (L, L, L, L, L, L) {
    let (two, four, five) = (L(broadcast: 2), L(broadcast: 4), L(broadcast: 5))
    let a = x.4 - four * x.2, b = x.3 - four * x.1
    let c = x.4 - x.2, d = two * (x.3 - x.1)
    return (four * x.0 - five * x.2 + x.4, a + b, a - b, c + d, c - d, four * x.1 - five * x.3 + x.5)
}

/// A^T x for six values: A^T = [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0],
/// [0, 1, -1, 8, -8, 1]].
@inline(__always)
private func outputTransform6<L: WinogradLane>(_ x: (L, L, L, L, L, L)) -> (L, L, L, L) {
    let p = x.1 + x.2, q = x.1 - x.2, r = x.3 + x.4, s = x.3 - x.4
    return (x.0 + p + r, q + L(broadcast: 2) * s, p + L(broadcast: 4) * r, q + L(broadcast: 8) * s + x.5)
}

/// V = B^T d B for the 6x6 tile whose pixels (row-major) are at `taps`, element e to
/// `out + e * elementStride`.
func winogradInputF4(_ taps: UnsafePointer<UnsafePointer<Float>>, channels: Int, to out: UnsafeMutablePointer<Float>,
                     elementStride: Int) {
    // The row pass's 36 results would not fit in registers: they go through the stack.
    withUnsafeTemporaryAllocation(of: WideVector.self, capacity: 36) { wide in
        withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 36) { narrow in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 36) { scalars in
                forEachLane(channels, wide: { inputF4(taps, $0, out, elementStride, wide.baseAddress!) },
                            narrow: { inputF4(taps, $0, out, elementStride, narrow.baseAddress!) },
                            scalar: { inputF4(taps, $0, out, elementStride, scalars.baseAddress!) })
            }
        }
    }
}

@inline(__always)
private func inputF4<L: WinogradLane>(_ p: UnsafePointer<UnsafePointer<Float>>, _ c: Int, _ out: UnsafeMutablePointer<Float>,
                                      _ stride: Int, _ t: UnsafeMutablePointer<L>) {
    // d B: each row of the tile.
    for row in 0..<6 {
        let r = p + 6 * row
        let y = inputTransform6((L.load(r[0] + c), L.load(r[1] + c), L.load(r[2] + c), L.load(r[3] + c), L.load(r[4] + c),
                                 L.load(r[5] + c)))
        (t[6 * row], t[6 * row + 1], t[6 * row + 2], t[6 * row + 3], t[6 * row + 4], t[6 * row + 5]) = y
    }
    // B^T (d B): each column.
    let o = out + c
    for column in 0..<6 {
        let v = inputTransform6((t[column], t[6 + column], t[12 + column], t[18 + column], t[24 + column], t[30 + column]))
        v.0.store(o + column * stride)
        v.1.store(o + (6 + column) * stride)
        v.2.store(o + (12 + column) * stride)
        v.3.store(o + (18 + column) * stride)
        v.4.store(o + (24 + column) * stride)
        v.5.store(o + (30 + column) * stride)
    }
}

/// Y = A^T M A for one tile of 6x6 products, M's element e at `products + e * elementStride`,
/// then `WinogradAffine`.
func winogradOutputF4(_ products: UnsafePointer<Float>, elementStride: Int, filters: Int, to out: WinogradOutputs,
                      affine: WinogradAffine) {
    withUnsafeTemporaryAllocation(of: WideVector.self, capacity: 24) { wide in
        withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 24) { narrow in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 24) { scalars in
                forEachLane(filters, wide: { outputF4(products, $0, elementStride, out, affine, wide.baseAddress!) },
                            narrow: { outputF4(products, $0, elementStride, out, affine, narrow.baseAddress!) },
                            scalar: { outputF4(products, $0, elementStride, out, affine, scalars.baseAddress!) })
            }
        }
    }
}

@inline(__always)
private func outputF4<L: WinogradLane>(_ m: UnsafePointer<Float>, _ o: Int, _ stride: Int, _ out: WinogradOutputs,
                                       _ affine: WinogradAffine, _ s: UnsafeMutablePointer<L>) {
    func element(_ row: Int, _ column: Int) -> L { L.load(m + (6 * row + column) * stride + o) }
    // A^T M: each column, four rows of results.
    for column in 0..<6 {
        let y = outputTransform6((element(0, column), element(1, column), element(2, column), element(3, column),
                                  element(4, column), element(5, column)))
        (s[column], s[6 + column], s[12 + column], s[18 + column]) = y
    }
    // (A^T M) A: each row of results.
    for row in 0..<min(4, out.rows) {
        let r = s + 6 * row
        let y = outputTransform6((r[0], r[1], r[2], r[3], r[4], r[5]))
        let base = out.topLeft + row * out.rowStride
        y.0.finish(affine, o, to: base)
        if out.columns > 1 { y.1.finish(affine, o, to: base + out.pixelStride) }
        if out.columns > 2 { y.2.finish(affine, o, to: base + 2 * out.pixelStride) }
        if out.columns > 3 { y.3.finish(affine, o, to: base + 3 * out.pixelStride) }
    }
}
