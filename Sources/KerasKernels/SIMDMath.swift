// ----------------------------------------------------------------------------
// Element-wise max and ReLU on SIMD vectors, written with integer bit operations.
//
// The standard library's `replacing(with:where:)` and `pointwiseMax` are lane-by-lane loops
// that LLVM vectorizes for AVX-512 but not for AVX2, where they spill every vector to the
// stack (half the GEMM's time on a Haswell target). Shifts, ands and a compare are single
// vector instructions on every target.
// ----------------------------------------------------------------------------

/// `max(x, 0)` per lane (a negative zero or negative NaN gives 0).
@_transparent
func simdRelu<V: SIMD>(_ x: V) -> V where V.Scalar == Float {
    let bits = unsafeBitCast(x, to: V.MaskStorage.self)
    // All ones where the sign bit is set, zero elsewhere.
    let negative = bits &>> 31
    return unsafeBitCast(bits & ~negative, to: V.self)
}

/// `a < b ? b : a` per lane.
@_transparent
func simdMax<V: SIMD>(_ a: V, _ b: V) -> V where V.Scalar == Float {
    let takeB = unsafeBitCast(a .< b, to: V.MaskStorage.self)
    let aBits = unsafeBitCast(a, to: V.MaskStorage.self)
    let bBits = unsafeBitCast(b, to: V.MaskStorage.self)
    return unsafeBitCast((bBits & takeB) | (aBits & ~takeB), to: V.self)
}
