// ----------------------------------------------------------------------------
// 3x3, stride-1 convolution by Winograd's minimal filtering F(m x m, 3x3), m = 2 or 4
// (Lavin and Gray 2016).
//
// Each m x m block of outputs comes from an a x a tile of the (padded) input, a = m + 2: the
// tile is transformed (V = B^T d B), multiplied element by element with the transformed kernel
// (U = G g G^T, once at load) and transformed back (Y = A^T M A). Summed over input channels,
// the element-wise products are a^2 independent GEMMs, tiles x input channels times input
// channels x filters, run by `gemm`. Per input channel and filter, F(2x2) spends 16
// multiply-adds on 4 outputs and F(4x4) 36 on 16, where direct convolution spends 9 per output:
// 2.25x and 4x fewer. The transforms cost O(channels) per tile, not O(channels x filters), so
// they pay off from about 16 channels in and out (`WinogradWeights.applies`).
//
// F(2x2)'s coefficients are 0, +-1 or +-1/2, exact in binary: it differs from direct summation
// by a few float ulps. F(4x4)'s kernel transform has thirds and sixths and its transforms
// multiply by up to 8, so it loses about two more decimal digits (measured: 3e-6 relative on
// 64-channel sums); it also needs maps of several 4x4 blocks to fill its GEMMs, so it serves
// maps of at least 16x16 (`WinogradWeights.preferredTile`) and the small late maps of face
// models keep F(2x2).
//
// Tiles are processed in chunks sized so that a chunk's transformed inputs and products stay
// in the core's cache; the scratch a layer needs is bounded by the chunk, not by the batch.
// ----------------------------------------------------------------------------

/// A 3x3 convolution kernel in the Winograd domain: the a x a tile elements' K x N matrices
/// (input channels x filters), plus the bias and post-activation affine the output transform
/// applies.
public struct WinogradWeights {
    public let inputChannels: Int
    public let filters: Int
    /// Outputs per tile side: 2 for F(2x2, 3x3), 4 for F(4x4, 3x3).
    public let outputTile: Int
    /// Input pixels per tile side, and elements per side of a transformed tile.
    public var inputTile: Int { outputTile + 2 }
    /// Element e = inputTile * row + column of the tile: U_e[i, o].
    private(set) var elements: [PackedMatrix]
    private(set) var bias: [Float]
    private(set) var postScale: [Float]
    private(set) var postShift: [Float]
    /// Tiles per chunk: a multiple of the GEMM's six rows.
    public let chunkTiles: Int

    /// Whether Winograd pays for a convolution of this shape: a 3x3 kernel at stride 1 and
    /// dilation 1, over all channels (one group), with enough channels in and out that the
    /// GEMMs outweigh the transforms.
    public static func applies(to g: WindowGeometry, groups: Int, filters: Int) -> Bool {
        g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideY == 1 && g.strideX == 1 && g.dilationY == 1
            && g.dilationX == 1 && groups == 1 && g.channels >= 16 && filters >= 16
            && g.outputHeight >= 2 && g.outputWidth >= 2
    }

    /// The output tile for a map of this size: 4 from 16x16 on, where a sample has at least 16
    /// F(4x4) tiles (the GEMMs run six tiles at a time; on a 12x12 map, nine tiles a sample
    /// left the GEMM's single-row tail doing a third of the work, slower than F(2x2)'s 36).
    public static func preferredTile(for g: WindowGeometry) -> Int {
        g.outputHeight >= 16 && g.outputWidth >= 16 ? 4 : 2
    }

    /// `kernel(ky, kx, i, o)`: the Keras kernel's weight; `bias` per filter, or nil;
    /// `outputTile` 2 or 4.
    public init(inputChannels: Int, filters: Int, bias: [Float]?, outputTile: Int = 2,
                kernel: (Int, Int, Int, Int) -> Float) {
        precondition(outputTile == 2 || outputTile == 4, "Winograd tiles are 2x2 or 4x4 outputs")
        self.inputChannels = inputChannels
        self.filters = filters
        self.outputTile = outputTile
        // U = G g G^T, summed in double so that only the final value is rounded.
        let (sixth, twelfth, twentyFourth): (Double, Double, Double) = (1.0 / 6, 1.0 / 12, 1.0 / 24)
        let f2: [[Double]] = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
        let f4: [[Double]] = [[0.25, 0, 0], [-sixth, -sixth, -sixth], [-sixth, sixth, -sixth],
                              [twentyFourth, twelfth, sixth], [twentyFourth, -twelfth, sixth], [0, 0, 1]]
        let gMatrix = outputTile == 2 ? f2 : f4
        let side = outputTile + 2, area = side * side
        var u = [Float](repeating: 0, count: area * inputChannels * filters)
        for i in 0..<inputChannels {
            for o in 0..<filters {
                var g = [[Double]](repeating: [0, 0, 0], count: 3)
                for ky in 0..<3 { for kx in 0..<3 { g[ky][kx] = Double(kernel(ky, kx, i, o)) } }
                for row in 0..<side {
                    // (G g)[row, column] for the three kernel columns.
                    let gg = (0..<3).map { column in (0..<3).reduce(0.0) { $0 + gMatrix[row][$1] * g[$1][column] } }
                    for column in 0..<side {
                        let value = (0..<3).reduce(0.0) { $0 + gg[$1] * gMatrix[column][$1] }
                        u[((row * side + column) * inputChannels + i) * filters + o] = Float(value)
                    }
                }
            }
        }
        elements = (0..<area).map { e in
            PackedMatrix(k: inputChannels, n: filters, bias: nil) { i, o in u[(e * inputChannels + i) * filters + o] }
        }
        self.bias = bias ?? [Float](repeating: 0, count: filters)
        postScale = [Float](repeating: 1, count: filters)
        postShift = [Float](repeating: 0, count: filters)
        // A chunk's inputs and products (area x tiles x (in + out) floats) in about 256 KB.
        let perTile = area * (inputChannels + filters) * MemoryLayout<Float>.stride
        chunkTiles = min(1536, max(18, (1 << 18) / perTile / 6 * 6))
    }

    /// Multiplies filter `o`'s weights by `scale[o]` and sets its bias to `bias * scale + shift`
    /// (a batch normalization folded in), as `PackedMatrix.scaleColumns` does.
    public mutating func scaleColumns(scale: [Float], shift: [Float]) {
        let zeros = [Float](repeating: 0, count: filters)
        for e in elements.indices { elements[e].scaleColumns(scale: scale, shift: zeros) }
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
        elements.count * min(chunkTiles, tiles(g, batch: batch)) * (inputChannels + filters) + inputChannels
    }

    /// Output blocks of `batch` samples (the last row and column cut short where the map's
    /// size is not a multiple of the tile).
    func tiles(_ g: WindowGeometry, batch: Int) -> Int {
        batch * tilesAcross(g.outputHeight) * tilesAcross(g.outputWidth)
    }

    func tilesAcross(_ outputs: Int) -> Int { (outputs + outputTile - 1) / outputTile }
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
    let (tile, side) = (w.outputTile, w.inputTile)
    let area = side * side
    let tilesX = w.tilesAcross(g.outputWidth)
    let tilesPerImage = w.tilesAcross(g.outputHeight) * tilesX
    let totalTiles = batch * tilesPerImage
    let chunk = min(w.chunkTiles, totalTiles)
    let transformed = scratch
    let products = scratch + area * chunk * channels
    // Where a tile reaches past the input (the map's size is not a multiple of the tile), it
    // reads zeros.
    let zeros = products + area * chunk * filters
    zeros.update(repeating: 0, count: channels)

    withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: area) { taps in
        w.bias.withUnsafeBufferPointer { bias in
            w.postScale.withUnsafeBufferPointer { scale in
                w.postShift.withUnsafeBufferPointer { shift in
                    let affine = WinogradAffine(bias: bias.baseAddress!, scale: scale.baseAddress!, shift: shift.baseAddress!,
                                                epilogue: epilogue)
                    var first = 0
                    while first < totalTiles {
                        let count = min(chunk, totalTiles - first)
                        for t in 0..<count {
                            let (sample, index) = (first + t).quotientAndRemainder(dividingBy: tilesPerImage)
                            let (tileY, tileX) = index.quotientAndRemainder(dividingBy: tilesX)
                            let image = input + sample * g.inputPixels * channels
                            for row in 0..<side {
                                let y = tile * tileY + row
                                for column in 0..<side {
                                    let x = tile * tileX + column
                                    taps[row * side + column] = y < g.inputHeight && x < g.inputWidth
                                        ? image + (y * g.inputWidth + x) * channels : UnsafePointer(zeros)
                                }
                            }
                            let out = transformed + t * channels, stride = count * channels
                            if tile == 2 {
                                winogradInputF2(taps.baseAddress!, channels: channels, to: out, elementStride: stride)
                            } else {
                                winogradInputF4(taps.baseAddress!, channels: channels, to: out, elementStride: stride)
                            }
                        }
                        for e in 0..<area {
                            gemm(m: count, a: transformed + e * count * channels, lda: channels, b: w.elements[e],
                                 c: products + e * count * filters, ldc: filters, epilogue: GEMMEpilogue())
                        }
                        for t in 0..<count {
                            let (sample, index) = (first + t).quotientAndRemainder(dividingBy: tilesPerImage)
                            let (tileY, tileX) = index.quotientAndRemainder(dividingBy: tilesX)
                            let rows = min(tile, g.outputHeight - tile * tileY), columns = min(tile, g.outputWidth - tile * tileX)
                            let topLeft = output + ((sample * g.outputHeight + tile * tileY) * g.outputWidth + tile * tileX) * ldc
                            let destination = WinogradOutputs(topLeft: topLeft, rowStride: g.outputWidth * ldc, pixelStride: ldc,
                                                              rows: rows, columns: columns)
                            if tile == 2 {
                                winogradOutputF2(products + t * filters, elementStride: count * filters, filters: filters,
                                                 to: destination, affine: affine)
                            } else {
                                winogradOutputF4(products + t * filters, elementStride: count * filters, filters: filters,
                                                 to: destination, affine: affine)
                            }
                        }
                        first += count
                    }
                }
            }
        }
    }
}
