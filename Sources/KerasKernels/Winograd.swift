// ----------------------------------------------------------------------------
// 3x3, stride-1 convolution by Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray 2016).
//
// Each 2x2 block of outputs comes from a 4x4 tile of the (padded) input: the tile is
// transformed (V = B^T d B), multiplied element by element with the transformed kernel
// (U = G g G^T, once at load) and transformed back (Y = A^T M A). Summed over input channels,
// the element-wise products are 16 independent GEMMs, tiles x input channels times input
// channels x filters, run by `gemm`. They spend 16 multiply-adds per input channel and filter
// on four outputs where direct convolution spends 36: 2.25x fewer. The transforms cost
// O(channels) per tile, not O(channels x filters), so they pay off from about 16 channels in and
// out (`WinogradWeights.applies`). Every coefficient is 0, +-1 or +-1/2, exact in binary, and
// the result differs from direct summation by a few float ulps of the largest partial sum;
// larger tiles (F(4x4, 3x3)) would save more but lose digits and fit the 6x6 and 12x12 maps of
// face models badly.
//
// Tiles are processed in chunks sized so that a chunk's transformed inputs and products stay
// in the core's cache; the scratch a layer needs is bounded by the chunk, not by the batch.
// ----------------------------------------------------------------------------

/// A 3x3 convolution kernel in the Winograd domain: the 16 tile elements' K x N matrices
/// (input channels x filters), plus the bias and post-activation affine the output transform
/// applies.
public struct WinogradWeights {
    public let inputChannels: Int
    public let filters: Int
    /// Element e = 4 * row + column of the 4x4 tile: U_e[i, o].
    private(set) var elements: [PackedMatrix]
    private(set) var bias: [Float]
    private(set) var postScale: [Float]
    private(set) var postShift: [Float]
    /// Tiles per chunk: a multiple of the GEMM's six rows.
    public let chunkTiles: Int

    /// Whether F(2x2, 3x3) pays for a convolution of this shape: a 3x3 kernel at stride 1 and
    /// dilation 1, over all channels (one group), with enough channels in and out that the
    /// GEMMs outweigh the transforms.
    public static func applies(to g: WindowGeometry, groups: Int, filters: Int) -> Bool {
        g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideY == 1 && g.strideX == 1 && g.dilationY == 1
            && g.dilationX == 1 && groups == 1 && g.channels >= 16 && filters >= 16
            && g.outputHeight >= 2 && g.outputWidth >= 2
    }

    /// `kernel(ky, kx, i, o)`: the Keras kernel's weight; `bias` per filter, or nil.
    public init(inputChannels: Int, filters: Int, bias: [Float]?, kernel: (Int, Int, Int, Int) -> Float) {
        self.inputChannels = inputChannels
        self.filters = filters
        // U = G g G^T, G = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]].
        var u = [Float](repeating: 0, count: 16 * inputChannels * filters)
        for i in 0..<inputChannels {
            for o in 0..<filters {
                var gg = [[Float]](repeating: [0, 0, 0], count: 4)   // G g: 4 x 3
                for column in 0..<3 {
                    let (g0, g1, g2) = (kernel(0, column, i, o), kernel(1, column, i, o), kernel(2, column, i, o))
                    gg[0][column] = g0
                    gg[1][column] = (g0 + g1 + g2) * 0.5
                    gg[2][column] = (g0 - g1 + g2) * 0.5
                    gg[3][column] = g2
                }
                for row in 0..<4 {
                    let (t0, t1, t2) = (gg[row][0], gg[row][1], gg[row][2])
                    let values: [Float] = [t0, (t0 + t1 + t2) * 0.5, (t0 - t1 + t2) * 0.5, t2]
                    for column in 0..<4 { u[((row * 4 + column) * inputChannels + i) * filters + o] = values[column] }
                }
            }
        }
        elements = (0..<16).map { e in
            PackedMatrix(k: inputChannels, n: filters, bias: nil) { i, o in u[(e * inputChannels + i) * filters + o] }
        }
        self.bias = bias ?? [Float](repeating: 0, count: filters)
        postScale = [Float](repeating: 1, count: filters)
        postShift = [Float](repeating: 0, count: filters)
        // A chunk's inputs and products (16 x tiles x (in + out) floats) in about 256 KB.
        let perTile = 16 * (inputChannels + filters) * MemoryLayout<Float>.stride
        chunkTiles = min(1536, max(18, (1 << 18) / perTile / 6 * 6))
    }

    /// Multiplies filter `o`'s weights by `scale[o]` and sets its bias to `bias * scale + shift`
    /// (a batch normalization folded in), as `PackedMatrix.scaleColumns` does.
    public mutating func scaleColumns(scale: [Float], shift: [Float]) {
        let zeros = [Float](repeating: 0, count: filters)
        for e in 0..<16 { elements[e].scaleColumns(scale: scale, shift: zeros) }
        for o in 0..<filters { bias[o] = bias[o] * scale[o] + shift[o] }
    }

    /// The per-filter affine the epilogue applies after the ReLU, as `PackedMatrix.setPostAffine`.
    public mutating func setPostAffine(scale: [Float], shift: [Float]) {
        postScale = scale
        postShift = shift
    }

    /// Scratch floats `winogradConvolution` needs beside the padded input, for `batch`
    /// samples of `g`: one chunk, no larger than the tiles there are.
    public func scratchCount(geometry g: WindowGeometry, batch: Int) -> Int {
        16 * min(chunkTiles, WinogradWeights.tiles(g, batch: batch)) * (inputChannels + filters) + inputChannels
    }

    /// 2x2 output blocks of `batch` samples (the last row and column cut short on odd sizes).
    static func tiles(_ g: WindowGeometry, batch: Int) -> Int {
        batch * ((g.outputHeight + 1) / 2) * ((g.outputWidth + 1) / 2)
    }
}

/// `output[b, oy, ox, o] = epilogue(bias[o] + sum_{ky, kx, i} input[b, oy + ky, ox + kx, i] * W[ky, kx, i, o])`
/// over a padded input (`g` has no padding: every 3x3 window lies inside), as
/// `implicitGEMMConvolution` computes it. `output` has row stride `ldc`; `scratch` holds
/// `w.scratchCount(geometry: g, batch: batch)` floats.
public func winogradConvolution(_ input: UnsafePointer<Float>, geometry g: WindowGeometry, batch: Int, weights w: WinogradWeights,
                                output: UnsafeMutablePointer<Float>, ldc: Int, epilogue: GEMMEpilogue,
                                scratch: UnsafeMutablePointer<Float>) {
    precondition(!g.isPadded && g.channels == w.inputChannels, "winogradConvolution runs on a padded input of the kernel's channels")
    let channels = w.inputChannels, filters = w.filters
    let tilesY = (g.outputHeight + 1) / 2, tilesX = (g.outputWidth + 1) / 2
    let tilesPerImage = tilesY * tilesX
    let totalTiles = batch * tilesPerImage
    let chunk = min(w.chunkTiles, totalTiles)
    let transformed = scratch
    let products = scratch + 16 * chunk * channels
    // Where a tile reaches past the input (an odd output size), it reads zeros.
    let zeros = products + 16 * chunk * filters
    zeros.update(repeating: 0, count: channels)

    w.bias.withUnsafeBufferPointer { bias in
        w.postScale.withUnsafeBufferPointer { scale in
            w.postShift.withUnsafeBufferPointer { shift in
                var first = 0
                while first < totalTiles {
                    let count = min(chunk, totalTiles - first)
                    for t in 0..<count {
                        let (sample, tile) = (first + t).quotientAndRemainder(dividingBy: tilesPerImage)
                        let (tileY, tileX) = tile.quotientAndRemainder(dividingBy: tilesX)
                        let image = input + sample * g.inputPixels * channels
                        let taps = TileTaps(image, y: 2 * tileY, x: 2 * tileX, g: g, zeros: zeros)
                        transformInputTile(taps, channels: channels, to: transformed + t * channels, elementStride: count * channels)
                    }
                    for e in 0..<16 {
                        gemm(m: count, a: transformed + e * count * channels, lda: channels, b: w.elements[e],
                             c: products + e * count * filters, ldc: filters, epilogue: GEMMEpilogue())
                    }
                    for t in 0..<count {
                        let (sample, tile) = (first + t).quotientAndRemainder(dividingBy: tilesPerImage)
                        let (tileY, tileX) = tile.quotientAndRemainder(dividingBy: tilesX)
                        let rows = min(2, g.outputHeight - 2 * tileY), columns = min(2, g.outputWidth - 2 * tileX)
                        let topLeft = output + ((sample * g.outputHeight + 2 * tileY) * g.outputWidth + 2 * tileX) * ldc
                        let destination = TileOutputs(topLeft, rowStride: g.outputWidth * ldc, pixelStride: ldc, rows: rows, columns: columns)
                        transformOutputTile(products + t * filters, elementStride: count * filters, filters: filters,
                                            to: destination, epilogue: epilogue, bias: bias.baseAddress!,
                                            scale: scale.baseAddress!, shift: shift.baseAddress!)
                    }
                    first += count
                }
            }
        }
    }
}

/// The 16 input pixels of a 4x4 tile (row-major), each a pointer to its channels.
private struct TileTaps {
    var p: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
            UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
            UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
            UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>)

    init(_ image: UnsafePointer<Float>, y: Int, x: Int, g: WindowGeometry, zeros: UnsafePointer<Float>) {
        func at(_ row: Int, _ column: Int) -> UnsafePointer<Float> {
            let (iy, ix) = (y + row, x + column)
            return iy < g.inputHeight && ix < g.inputWidth ? image + (iy * g.inputWidth + ix) * g.channels : zeros
        }
        p = (at(0, 0), at(0, 1), at(0, 2), at(0, 3), at(1, 0), at(1, 1), at(1, 2), at(1, 3),
             at(2, 0), at(2, 1), at(2, 2), at(2, 3), at(3, 0), at(3, 1), at(3, 2), at(3, 3))
    }
}

/// Where a tile's 2x2 outputs go: the first `rows` x `columns` of them exist (the last tile of
/// an odd-sized map has fewer).
private struct TileOutputs {
    let topLeft: UnsafeMutablePointer<Float>
    let rowStride: Int, pixelStride: Int
    let rows: Int, columns: Int
    init(_ topLeft: UnsafeMutablePointer<Float>, rowStride: Int, pixelStride: Int, rows: Int, columns: Int) {
        (self.topLeft, self.rowStride, self.pixelStride, self.rows, self.columns) = (topLeft, rowStride, pixelStride, rows, columns)
    }
}

/// Channels a step: vectors for the bulk of them, single floats for the rest.
protocol WinogradLane {
    static var lanes: Int { get }
    static func load(_ pointer: UnsafePointer<Float>) -> Self
    func store(_ pointer: UnsafeMutablePointer<Float>)
    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Self, rhs: Self) -> Self
    var relu: Self { get }
}

extension Float: WinogradLane {
    static var lanes: Int { 1 }
    @_transparent static func load(_ pointer: UnsafePointer<Float>) -> Float { pointer.pointee }
    @_transparent func store(_ pointer: UnsafeMutablePointer<Float>) { pointer.pointee = self }
    @_transparent var relu: Float { self > 0 ? self : 0 }
}

extension SIMD16: WinogradLane where Scalar == Float {
    static var lanes: Int { 16 }
    @_transparent static func load(_ pointer: UnsafePointer<Float>) -> Self { UnsafeRawPointer(pointer).loadUnaligned(as: Self.self) }
    @_transparent func store(_ pointer: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(pointer).storeBytes(of: self, as: Self.self) }
    @_transparent var relu: Self { simdRelu(self) }
}

extension SIMD8: WinogradLane where Scalar == Float {
    static var lanes: Int { 8 }
    @_transparent static func load(_ pointer: UnsafePointer<Float>) -> Self { UnsafeRawPointer(pointer).loadUnaligned(as: Self.self) }
    @_transparent func store(_ pointer: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(pointer).storeBytes(of: self, as: Self.self) }
    @_transparent var relu: Self { simdRelu(self) }
}

/// V = B^T d B for the tile's channels, element e to `out + e * elementStride`.
/// B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]].
private func transformInputTile(_ taps: TileTaps, channels: Int, to out: UnsafeMutablePointer<Float>, elementStride: Int) {
    var c = 0
    while c + WideVector.lanes <= channels {
        transformInput(WideVector.self, taps, c, out, elementStride)
        c += WideVector.lanes
    }
    while c < channels {
        transformInput(Float.self, taps, c, out, elementStride)
        c += 1
    }
}

@inline(__always)
private func transformInput<L: WinogradLane>(_: L.Type, _ taps: TileTaps, _ c: Int, _ out: UnsafeMutablePointer<Float>, _ stride: Int) {
    let p = taps.p
    let (d00, d01, d02, d03) = (L.load(p.0 + c), L.load(p.1 + c), L.load(p.2 + c), L.load(p.3 + c))
    let (d10, d11, d12, d13) = (L.load(p.4 + c), L.load(p.5 + c), L.load(p.6 + c), L.load(p.7 + c))
    let (d20, d21, d22, d23) = (L.load(p.8 + c), L.load(p.9 + c), L.load(p.10 + c), L.load(p.11 + c))
    let (d30, d31, d32, d33) = (L.load(p.12 + c), L.load(p.13 + c), L.load(p.14 + c), L.load(p.15 + c))
    // B^T d: rows.
    let (a00, a01, a02, a03) = (d00 - d20, d01 - d21, d02 - d22, d03 - d23)
    let (a10, a11, a12, a13) = (d10 + d20, d11 + d21, d12 + d22, d13 + d23)
    let (a20, a21, a22, a23) = (d20 - d10, d21 - d11, d22 - d12, d23 - d13)
    let (a30, a31, a32, a33) = (d10 - d30, d11 - d31, d12 - d32, d13 - d33)
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

/// Y = A^T M A + bias, then the epilogue, for the tile's filters; M's element e at
/// `products + e * elementStride`. A^T = [[1, 1, 1, 0], [0, 1, -1, -1]].
private func transformOutputTile(_ products: UnsafePointer<Float>, elementStride: Int, filters: Int, to out: TileOutputs,
                                 epilogue: GEMMEpilogue, bias: UnsafePointer<Float>, scale: UnsafePointer<Float>,
                                 shift: UnsafePointer<Float>) {
    var o = 0
    while o + WideVector.lanes <= filters {
        transformOutput(WideVector.self, products, o, elementStride, out, epilogue, bias, scale, shift)
        o += WideVector.lanes
    }
    while o < filters {
        transformOutput(Float.self, products, o, elementStride, out, epilogue, bias, scale, shift)
        o += 1
    }
}

@inline(__always)
private func transformOutput<L: WinogradLane>(_: L.Type, _ m: UnsafePointer<Float>, _ o: Int, _ stride: Int, _ out: TileOutputs,
                                              _ epilogue: GEMMEpilogue, _ bias: UnsafePointer<Float>,
                                              _ scale: UnsafePointer<Float>, _ shift: UnsafePointer<Float>) {
    func element(_ e: Int) -> L { L.load(m + e * stride + o) }
    // A^T M: rows.
    let (m00, m01, m02, m03) = (element(0), element(1), element(2), element(3))
    let (m10, m11, m12, m13) = (element(4), element(5), element(6), element(7))
    let (m20, m21, m22, m23) = (element(8), element(9), element(10), element(11))
    let (m30, m31, m32, m33) = (element(12), element(13), element(14), element(15))
    let (s00, s01, s02, s03) = (m00 + m10 + m20, m01 + m11 + m21, m02 + m12 + m22, m03 + m13 + m23)
    let (s10, s11, s12, s13) = (m10 - m20 - m30, m11 - m21 - m31, m12 - m22 - m32, m13 - m23 - m33)
    // (A^T M) A: columns.
    let b = L.load(bias + o)
    let y00 = s00 + s01 + s02 + b, y01 = s01 - s02 - s03 + b
    let y10 = s10 + s11 + s12 + b, y11 = s11 - s12 - s13 + b
    let (sc, sh) = (L.load(scale + o), L.load(shift + o))
    func put(_ y: L, _ row: Int, _ column: Int) {
        guard row < out.rows, column < out.columns else { return }
        var v = y
        if epilogue.relu { v = v.relu }
        if epilogue.affine { v = v * sc + sh }
        v.store(out.topLeft + row * out.rowStride + column * out.pixelStride + o)
    }
    put(y00, 0, 0)
    put(y01, 0, 1)
    put(y10, 1, 0)
    put(y11, 1, 1)
}
