@testable import KerasKernels
import XCTest
@testable import KerasEngine

/// Winograd F(2x2, 3x3) and F(4x4, 3x3) against the seven-loop convolution of `KernelTests`,
/// on seeded random inputs and weights in [-1, 1]. Tolerance: 1e-4 absolute plus 1e-5
/// relative for F(2x2) (the transforms add and subtract up to 16 terms before and after the
/// products, so the rounding grows with the output's magnitude; observed differences are a few
/// 1e-6), four times that for F(4x4), whose transforms multiply by up to 8 and whose kernel
/// transform has sixths (observed: up to 0.3 of that tolerance).
extension KernelTests {
    func testWinogradMatchesSevenLoops() {
        var random = SeededRandom(seed: 11)
        typealias Case = (shape: [Int], filters: Int, same: Bool, batch: Int, tile: Int)
        let cases: [Case] = [
            // The bundled model's layers: 48x48 and 24x24 maps by F(4x4), 6x6 by F(2x2), 24 to
            // 192 channels.
            ([48, 48, 24], 24, true, 2, 4),
            ([24, 24, 48], 96, true, 1, 4),
            ([6, 6, 96], 192, true, 2, 2),
            // Both tiles on the same shapes: the 48x48 one (F(2x2): three chunks of tiles, 16
            // in and 16 out: 510 tiles a chunk, 1152 tiles; F(4x4): 144 tiles a chunk, 288).
            ([48, 48, 16], 16, true, 2, 2),
            ([48, 48, 16], 16, true, 2, 4),
            // Odd output sizes (the last tiles are cut: by one, two and three outputs for
            // F(4x4)), filters not a multiple of the vector width, channels with a scalar
            // tail, a single sample.
            ([7, 9, 16], 17, false, 1, 2),
            ([5, 4, 20], 33, true, 3, 2),
            ([4, 4, 19], 16, false, 2, 2),
            ([7, 9, 16], 17, false, 1, 4),
            ([9, 11, 20], 33, true, 3, 4),
            ([6, 6, 19], 16, false, 2, 4),
            // Channels and filters of 16 + 8 + 3: the wide vector, the eight-float one and
            // single floats, in both transforms of both tiles.
            ([8, 10, 27], 27, true, 1, 2),
            ([8, 10, 27], 27, true, 1, 4),
        ]
        for t in cases {
            let (channels, filters) = (t.shape[2], t.filters)
            let input = randomArray(t.batch * t.shape.reduce(1, *), &random)
            let kernel = randomArray(9 * channels * filters, &random)
            let bias = randomArray(filters, &random)
            let foldScale = randomArray(filters, &random), foldShift = randomArray(filters, &random)
            let postScale = randomArray(filters, &random), postShift = randomArray(filters, &random)
            let g = WindowGeometry(input: t.shape, kernel: (3, 3), strides: (1, 1), same: t.same)
            XCTAssertTrue(WinogradWeights.applies(to: g, groups: 1, filters: filters), "\(t)")
            let plain = naiveConvolution(input, t.shape, kernel: kernel, bias: bias, kernelSize: (3, 3), filters: filters,
                                         strides: (1, 1), dilation: (1, 1), groups: 1, same: t.same, batch: t.batch)
            let paddedInput = padded(input, g, batch: t.batch)
            for (fold, relu, affine) in [(false, false, false), (true, true, true), (false, true, false)] {
                var weights = WinogradWeights(inputChannels: channels, filters: filters, bias: bias, outputTile: t.tile) { ky, kx, i, o in
                    kernel[((ky * 3 + kx) * channels + i) * filters + o]
                }
                if fold { weights.scaleColumns(scale: foldScale, shift: foldShift) }
                if affine { weights.setPostAffine(scale: postScale, shift: postShift) }
                let want = plain.enumerated().map { index, value -> Float in
                    let o = index % filters
                    var y = fold ? value * foldScale[o] + foldShift[o] : value
                    if relu { y = max(y, 0) }
                    return affine ? y * postScale[o] + postShift[o] : y
                }
                // A wider output row, to check nothing is written past the filters.
                let ldc = filters + 5
                var out = [Float](repeating: 99, count: want.count / filters * ldc)
                var scratch = [Float](repeating: .nan, count: weights.scratchCount(geometry: g.padded, batch: t.batch))
                paddedInput.withUnsafeBufferPointer { input in
                    out.withUnsafeMutableBufferPointer { out in
                        scratch.withUnsafeMutableBufferPointer { scratch in
                            winogradConvolution(input.baseAddress!, geometry: g.padded, batch: t.batch, weights: weights,
                                                output: out.baseAddress!, ldc: ldc, epilogue: GEMMEpilogue(relu: relu, affine: affine),
                                                scratch: scratch.baseAddress!)
                        }
                    }
                }
                let scale: Float = t.tile == 2 ? 1 : 4
                var worst: Float = 0
                for pixel in 0..<(want.count / filters) {
                    for o in 0..<filters {
                        let (got, expected) = (out[pixel * ldc + o], want[pixel * filters + o])
                        worst = max(worst, abs(got - expected) / (scale * (1e-4 + 1e-5 * abs(expected))))
                    }
                    XCTAssertEqual(Array(out[(pixel * ldc + filters)..<((pixel + 1) * ldc)]), [Float](repeating: 99, count: 5),
                                   "\(t): wrote past the filters")
                }
                XCTAssertLessThanOrEqual(worst, 1, "\(t) fold \(fold) relu \(relu) affine \(affine): error / tolerance \(worst)")
            }
        }
    }

    /// Shapes F(2x2, 3x3) does not take run through the implicit GEMM as before.
    func testWinogradAppliesOnlyToThreeByThreeStrideOneKernelsWithEnoughChannels() {
        func applies(_ shape: [Int], _ kernel: (Int, Int), strides: (Int, Int) = (1, 1), dilation: (Int, Int) = (1, 1),
                     groups: Int = 1, filters: Int = 32) -> Bool {
            WinogradWeights.applies(to: WindowGeometry(input: shape, kernel: kernel, strides: strides, dilation: dilation, same: true),
                                    groups: groups, filters: filters)
        }
        XCTAssertTrue(applies([12, 12, 32], (3, 3)))
        XCTAssertFalse(applies([12, 12, 32], (3, 3), strides: (2, 2)))
        XCTAssertFalse(applies([12, 12, 32], (3, 3), dilation: (2, 2)))
        XCTAssertFalse(applies([12, 12, 32], (3, 3), groups: 2))
        XCTAssertFalse(applies([12, 12, 32], (5, 5)))
        XCTAssertFalse(applies([12, 12, 1], (3, 3)))
        XCTAssertFalse(applies([12, 12, 32], (3, 3), filters: 8))
        XCTAssertFalse(applies([1, 12, 32], (3, 3)))
    }

    /// F(4x4) from 16x16 outputs on, F(2x2) below.
    func testWinogradTileFollowsTheMapSize() {
        func tile(_ shape: [Int]) -> Int {
            WinogradWeights.preferredTile(for: WindowGeometry(input: shape, kernel: (3, 3), strides: (1, 1), same: true))
        }
        XCTAssertEqual(tile([48, 48, 32]), 4)
        XCTAssertEqual(tile([16, 16, 32]), 4)
        XCTAssertEqual(tile([12, 12, 32]), 2)
        XCTAssertEqual(tile([48, 12, 32]), 2)
        XCTAssertEqual(tile([6, 6, 32]), 2)
    }
}
