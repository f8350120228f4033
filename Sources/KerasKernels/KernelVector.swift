// ----------------------------------------------------------------------------
// The unit of columns the GEMM and convolution micro-kernels hold per row of C: one SIMD
// vector, or a pair of them for 32-column panels. Swift's SIMD32<Float> arithmetic does not
// compile to vector registers (it runs lane by lane, hundreds of times slower), so a 32-wide
// row is two SIMD16 halves that each map to one AVX-512 register.
// ----------------------------------------------------------------------------

/// The widest vector the build keeps many of in registers: 16 floats with AVX-512 (32
/// registers), 8 otherwise (16 registers; a SIMD16 would be two of them and spill).
#if KERASENGINE_AVX512
typealias WideVector = SIMD16<Float>
#else
typealias WideVector = SIMD8<Float>
#endif

protocol KernelVector {
    /// Columns held.
    static var width: Int { get }
    /// All zeros.
    init()
    static func load(_ pointer: UnsafeRawPointer) -> Self
    /// `self += a * b`, fused with `-D KERASENGINE_FMA`.
    mutating func multiplyAdd(_ a: Float, _ b: Self)
    static func + (lhs: Self, rhs: Self) -> Self
    /// `max(x, 0)` if `relu`, then `x * scale + shift` if `affine`, stored to the first
    /// `columns` floats at `c`.
    func store(_ c: UnsafeMutablePointer<Float>, columns: Int, relu: Bool, affine: Bool, scale: Self, shift: Self)
}

extension KernelVector {
    @_transparent
    static func load(_ pointer: UnsafePointer<Float>) -> Self { load(UnsafeRawPointer(pointer)) }
}

extension SIMD8: KernelVector where Scalar == Float {}
extension SIMD16: KernelVector where Scalar == Float {}

extension SIMD where Self: KernelVector, Scalar == Float {
    @_transparent
    static var width: Int { scalarCount }

    @_transparent
    static func load(_ pointer: UnsafeRawPointer) -> Self { pointer.loadUnaligned(as: Self.self) }

    @_transparent
    mutating func multiplyAdd(_ a: Float, _ b: Self) {
        #if KERASENGINE_FMA
        self = addingProduct(Self(repeating: a), b)
        #else
        self += Self(repeating: a) * b
        #endif
    }

    @_transparent
    func store(_ c: UnsafeMutablePointer<Float>, columns: Int, relu: Bool, affine: Bool, scale: Self, shift: Self) {
        var v = self
        if relu { v = simdRelu(v) }
        if affine { v = v * scale + shift }
        if columns == Self.scalarCount {
            UnsafeMutableRawPointer(c).storeBytes(of: v, as: Self.self)
        } else {
            for lane in 0..<columns { c[lane] = v[lane] }
        }
    }
}

/// Two vectors side by side: columns `0..<V.width` and `V.width..<2 * V.width`.
struct VectorPair<V: KernelVector>: KernelVector {
    var low: V
    var high: V

    @_transparent
    init() { low = V(); high = V() }

    @_transparent
    init(low: V, high: V) { self.low = low; self.high = high }

    @_transparent
    static var width: Int { 2 * V.width }

    @_transparent
    static func load(_ pointer: UnsafeRawPointer) -> Self {
        VectorPair(low: V.load(pointer), high: V.load(pointer + V.width * MemoryLayout<Float>.stride))
    }

    @_transparent
    mutating func multiplyAdd(_ a: Float, _ b: Self) {
        low.multiplyAdd(a, b.low)
        high.multiplyAdd(a, b.high)
    }

    @_transparent
    static func + (lhs: Self, rhs: Self) -> Self { VectorPair(low: lhs.low + rhs.low, high: lhs.high + rhs.high) }

    @_transparent
    func store(_ c: UnsafeMutablePointer<Float>, columns: Int, relu: Bool, affine: Bool, scale: Self, shift: Self) {
        low.store(c, columns: min(columns, V.width), relu: relu, affine: affine, scale: scale.low, shift: shift.low)
        if columns > V.width {
            high.store(c + V.width, columns: columns - V.width, relu: relu, affine: affine, scale: scale.high, shift: shift.high)
        }
    }
}

/// The six rows of C a GEMM or convolution micro-kernel keeps in registers: one multiply-add
/// step takes one row of B (`b`) and one element of each of six rows of A.
struct SixRows<V: KernelVector> {
    var c0, c1, c2, c3, c4, c5: V

    @_transparent
    init(_ start: V) { (c0, c1, c2, c3, c4, c5) = (start, start, start, start, start, start) }

    @_transparent
    mutating func multiplyAdd(_ a0: Float, _ a1: Float, _ a2: Float, _ a3: Float, _ a4: Float, _ a5: Float, _ b: V) {
        c0.multiplyAdd(a0, b)
        c1.multiplyAdd(a1, b)
        c2.multiplyAdd(a2, b)
        c3.multiplyAdd(a3, b)
        c4.multiplyAdd(a4, b)
        c5.multiplyAdd(a5, b)
    }

    /// Each row through the epilogue (see `KernelVector.store`) to its own destination.
    @_transparent
    func store(_ p0: UnsafeMutablePointer<Float>, _ p1: UnsafeMutablePointer<Float>, _ p2: UnsafeMutablePointer<Float>,
               _ p3: UnsafeMutablePointer<Float>, _ p4: UnsafeMutablePointer<Float>, _ p5: UnsafeMutablePointer<Float>,
               columns: Int, epilogue: GEMMEpilogue, scale: V, shift: V) {
        c0.store(p0, columns: columns, relu: epilogue.relu, affine: epilogue.affine, scale: scale, shift: shift)
        c1.store(p1, columns: columns, relu: epilogue.relu, affine: epilogue.affine, scale: scale, shift: shift)
        c2.store(p2, columns: columns, relu: epilogue.relu, affine: epilogue.affine, scale: scale, shift: shift)
        c3.store(p3, columns: columns, relu: epilogue.relu, affine: epilogue.affine, scale: scale, shift: shift)
        c4.store(p4, columns: columns, relu: epilogue.relu, affine: epilogue.affine, scale: scale, shift: shift)
        c5.store(p5, columns: columns, relu: epilogue.relu, affine: epilogue.affine, scale: scale, shift: shift)
    }
}
