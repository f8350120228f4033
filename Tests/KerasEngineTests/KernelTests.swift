@testable import KerasKernels
import XCTest
@testable import KerasEngine

/// The optimized kernels against naive reference implementations written plainly here (a
/// seven-loop convolution, a triple-loop matrix multiply...), on seeded random inputs in [-1, 1].
/// Tolerance: 1e-4 absolute (sums of up to a few hundred products of values below 1, in a
/// different order; observed differences are around 1e-6).
final class KernelTests: XCTestCase {
    static let tolerance: Float = 1e-4

    func randomArray(_ count: Int, _ random: inout SeededRandom) -> [Float] {
        (0..<count).map { _ in random.nextFloat() * 2 - 1 }
    }

    /// `input` as the kernels get it: padded with `fill` where a window of `g` reaches outside it.
    func padded(_ input: [Float], _ g: WindowGeometry, batch: Int, fill: Float = 0) -> [Float] {
        var scratch = [Float](repeating: .nan, count: max(batch * (g.paddedCount ?? 0), 1))
        return input.withUnsafeBufferPointer { input in
            scratch.withUnsafeMutableBufferPointer { scratch in
                let result = padInput(input.baseAddress!, geometry: g, batch: batch, fill: fill, scratch: scratch.baseAddress!)
                return Array(UnsafeBufferPointer(start: result, count: batch * g.padded.inputPixels * g.channels))
            }
        }
    }

    func assertClose(_ got: [Float], _ want: [Float], _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, want.count, label, file: file, line: line)
        let diff = zip(got, want).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(diff, Self.tolerance, "\(label): max abs diff \(diff)", file: file, line: line)
    }

    // MARK: GEMM

    func testGEMMMatchesTripleLoop() {
        var random = SeededRandom(seed: 1)
        // Sizes around the micro-kernel's 6 rows (tails of 1 and 2 rows run one by one, of 3 to 5
        // as a block repeating the last row: 9, 64 and 5) and the 8/16/32-column panels (a
        // 32-column panel is two vectors: widths that end in either half, or on the boundary).
        for (m, k, n) in [(1, 1, 1), (5, 3, 7), (6, 9, 8), (7, 16, 16), (13, 75, 17), (37, 40, 33), (64, 128, 128), (2, 1600, 40),
                          (19, 12, 24), (12, 7, 50), (25, 33, 64), (9, 20, 40), (8, 5, 9)] {
            for (relu, affine) in [(false, false), (true, false), (true, true)] {
                let a = randomArray(m * k, &random)
                let b = randomArray(k * n, &random)
                let bias = randomArray(n, &random)
                let scale = randomArray(n, &random)
                let shift = randomArray(n, &random)
                var packed = PackedMatrix(k: k, n: n, bias: bias) { b[$0 * n + $1] }
                if affine { packed.setPostAffine(scale: scale, shift: shift) }
                // Output with a wider row stride, to check nothing is written past column n.
                let ldc = n + 3
                var c = [Float](repeating: 99, count: m * ldc)
                a.withUnsafeBufferPointer { a in
                    c.withUnsafeMutableBufferPointer { c in
                        gemm(m: m, a: a.baseAddress!, lda: k, b: packed, c: c.baseAddress!, ldc: ldc,
                             epilogue: GEMMEpilogue(relu: relu, affine: affine))
                    }
                }
                var got: [Float] = [], want: [Float] = []
                for i in 0..<m {
                    for j in 0..<n {
                        var sum = bias[j]
                        for p in 0..<k { sum += a[i * k + p] * b[p * n + j] }
                        if relu { sum = max(sum, 0) }
                        if affine { sum = sum * scale[j] + shift[j] }
                        want.append(sum)
                        got.append(c[i * ldc + j])
                    }
                    for j in n..<ldc { XCTAssertEqual(c[i * ldc + j], 99, "gemm \(m)x\(k)x\(n) wrote past column n") }
                }
                assertClose(got, want, "gemm m=\(m) k=\(k) n=\(n) relu=\(relu) affine=\(affine)")
            }
        }
    }

    // MARK: Convolution

    /// out[b, oy, ox, o] = bias[o] + sum over ky, kx, i of in[b, iy, ix, g*I + i] * w[ky, kx, i, o],
    /// iy = oy*sy - padTop + ky*dy (zero outside), group g = o / (O / groups).
    func naiveConvolution(_ input: [Float], _ shape: [Int], kernel: [Float], bias: [Float], kernelSize: (Int, Int),
                          filters: Int, strides: (Int, Int), dilation: (Int, Int), groups: Int, same: Bool, batch: Int) -> [Float] {
        let g = WindowGeometry(input: shape, kernel: kernelSize, strides: strides, dilation: dilation, same: same)
        let (h, w, c) = (shape[0], shape[1], shape[2])
        let groupInputs = c / groups, groupOutputs = filters / groups
        var out = [Float](repeating: 0, count: batch * g.outputHeight * g.outputWidth * filters)
        for b in 0..<batch {
            for oy in 0..<g.outputHeight {
                for ox in 0..<g.outputWidth {
                    for o in 0..<filters {
                        var sum = bias[o]
                        let group = o / groupOutputs
                        for ky in 0..<kernelSize.0 {
                            for kx in 0..<kernelSize.1 {
                                for i in 0..<groupInputs {
                                    let iy = oy * strides.0 - g.padTop + ky * dilation.0
                                    let ix = ox * strides.1 - g.padLeft + kx * dilation.1
                                    guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                                    sum += input[((b * h + iy) * w + ix) * c + group * groupInputs + i]
                                        * kernel[((ky * kernelSize.1 + kx) * groupInputs + i) * filters + o]
                                }
                            }
                        }
                        out[((b * g.outputHeight + oy) * g.outputWidth + ox) * filters + o] = sum
                    }
                }
            }
        }
        return out
    }

    func testImplicitGEMMConvolutionMatchesSevenLoops() {
        var random = SeededRandom(seed: 2)
        typealias Case = (shape: [Int], kernel: (Int, Int), filters: Int, strides: (Int, Int), dilation: (Int, Int), groups: Int, same: Bool)
        let cases: [Case] = [
            ([9, 11, 1], (3, 3), 8, (1, 1), (1, 1), 1, false),
            ([9, 11, 3], (5, 5), 16, (1, 1), (1, 1), 1, true),
            ([10, 13, 4], (3, 2), 7, (2, 1), (1, 1), 1, false),
            ([12, 12, 8], (3, 3), 33, (2, 2), (1, 1), 1, true),
            ([12, 12, 2], (4, 4), 6, (2, 2), (1, 1), 1, true),
            ([16, 16, 3], (3, 3), 5, (1, 1), (2, 2), 1, true),
            ([16, 15, 3], (3, 3), 5, (1, 1), (2, 3), 1, false),
            ([10, 10, 4], (3, 3), 6, (1, 1), (1, 1), 2, true),
            ([8, 9, 6], (1, 1), 9, (2, 2), (1, 1), 3, true),
            ([7, 20, 16], (1, 7), 24, (1, 1), (1, 1), 1, true),
            ([9, 10, 5], (3, 3), 50, (1, 1), (1, 1), 1, true),
            // Every pixel touches the padding, and fewer than six of them (a repeated last pixel).
            ([3, 3, 40], (3, 3), 7, (1, 1), (1, 1), 1, true),
            ([1, 1, 3], (3, 3), 4, (1, 1), (1, 1), 1, true),
            ([2, 5, 3], (5, 5), 9, (2, 2), (1, 1), 1, true),
            // Tap pairs: an odd and an even number of taps per kernel row, 8 or fewer filters,
            // more than twelve pixels and a short last block.
            ([13, 11, 1], (3, 3), 8, (1, 1), (1, 1), 1, false),
            ([12, 15, 8], (3, 3), 8, (1, 1), (1, 1), 1, false),
            ([6, 7, 5], (3, 2), 3, (1, 2), (1, 1), 1, true),
        ]
        for (index, t) in cases.enumerated() {
            let batch = 2
            let input = randomArray(batch * t.shape.reduce(1, *), &random)
            let groupInputs = t.shape[2] / t.groups, groupOutputs = t.filters / t.groups
            let kernel = randomArray(t.kernel.0 * t.kernel.1 * groupInputs * t.filters, &random)
            let bias = randomArray(t.filters, &random)
            let want = naiveConvolution(input, t.shape, kernel: kernel, bias: bias, kernelSize: t.kernel, filters: t.filters,
                                        strides: t.strides, dilation: t.dilation, groups: t.groups, same: t.same, batch: batch)
            let g = WindowGeometry(input: t.shape, kernel: t.kernel, strides: t.strides, dilation: t.dilation, same: t.same)
            let k = t.kernel.0 * t.kernel.1 * groupInputs
            let paddedInput = padded(input, g, batch: batch)
            // Weights packed plainly, and (one group, no dilation across) in tap pairs, which
            // AVX-512 builds use for 8 filters or fewer.
            let rowTaps: [Int?] = t.groups == 1 && t.dilation.1 == 1 ? [nil, t.kernel.1 * groupInputs] : [nil]
            for taps in rowTaps {
                var got = [Float](repeating: .nan, count: want.count)
                for group in 0..<t.groups {
                    let groupBias = Array(bias[(group * groupOutputs)..<((group + 1) * groupOutputs)])
                    let packed = PackedMatrix(k: k, n: groupOutputs, bias: groupBias, kernelRowTaps: taps) {
                        kernel[$0 * t.filters + group * groupOutputs + $1]
                    }
                    paddedInput.withUnsafeBufferPointer { input in
                        got.withUnsafeMutableBufferPointer { out in
                            implicitGEMMConvolution(input.baseAddress!, geometry: g.padded, channelOffset: group * groupInputs,
                                                    groupChannels: groupInputs, batch: batch, b: packed,
                                                    output: out.baseAddress! + group * groupOutputs, ldc: t.filters,
                                                    epilogue: GEMMEpilogue())
                        }
                    }
                }
                assertClose(got, want, "conv case \(index) (kernel row taps \(taps.map(String.init) ?? "none")): \(t)")
            }
        }
    }

    // MARK: Depthwise convolution

    func testDepthwiseMatchesNaiveLoops() {
        var random = SeededRandom(seed: 3)
        typealias Case = (shape: [Int], kernel: (Int, Int), multiplier: Int, strides: (Int, Int), dilation: (Int, Int), same: Bool)
        let cases: [Case] = [
            ([12, 12, 8], (3, 3), 1, (1, 1), (1, 1), true),
            ([12, 13, 16], (3, 3), 1, (1, 1), (1, 1), false),
            ([11, 14, 24], (3, 3), 1, (2, 2), (1, 1), true),
            ([10, 10, 3], (3, 3), 2, (1, 1), (1, 1), true),
            ([10, 12, 5], (5, 3), 1, (1, 2), (1, 1), true),
            ([16, 16, 8], (3, 3), 1, (1, 1), (2, 2), true),
            ([9, 9, 4], (2, 2), 3, (2, 2), (1, 1), false),
            // Eight pixels at a time over 16-channel blocks and an 8-channel rest, strided too.
            ([10, 22, 40], (3, 3), 1, (1, 1), (1, 1), true),
            ([9, 23, 32], (3, 3), 1, (1, 2), (1, 1), true),
            // Channel blocks of every width (16, 8, 4) and a scalar rest; widths that are not a
            // multiple of four pixels; a window larger than the image.
            ([7, 7, 29], (3, 3), 1, (1, 1), (1, 1), true),
            ([6, 9, 5], (3, 3), 1, (1, 1), (1, 1), false),
            ([5, 6, 3], (5, 5), 1, (1, 1), (1, 1), true),
            ([2, 2, 16], (3, 3), 1, (1, 1), (1, 1), true),
            ([8, 8, 12], (3, 3), 1, (2, 1), (1, 1), true),
        ]
        for (index, t) in cases.enumerated() {
            let batch = 2
            let channels = t.shape[2], outChannels = channels * t.multiplier
            let input = randomArray(batch * t.shape.reduce(1, *), &random)
            let kernel = randomArray(t.kernel.0 * t.kernel.1 * outChannels, &random)
            let bias = randomArray(outChannels, &random)
            let g = WindowGeometry(input: t.shape, kernel: t.kernel, strides: t.strides, dilation: t.dilation, same: t.same)
            var want = [Float](repeating: 0, count: batch * g.outputPixels * outChannels)
            for b in 0..<batch {
                for oy in 0..<g.outputHeight {
                    for ox in 0..<g.outputWidth {
                        for c in 0..<channels {
                            for m in 0..<t.multiplier {
                                let o = c * t.multiplier + m
                                var sum = bias[o]
                                for ky in 0..<t.kernel.0 {
                                    for kx in 0..<t.kernel.1 {
                                        let iy = oy * t.strides.0 - g.padTop + ky * t.dilation.0
                                        let ix = ox * t.strides.1 - g.padLeft + kx * t.dilation.1
                                        guard iy >= 0, iy < t.shape[0], ix >= 0, ix < t.shape[1] else { continue }
                                        sum += input[((b * t.shape[0] + iy) * t.shape[1] + ix) * channels + c]
                                            * kernel[(ky * t.kernel.1 + kx) * outChannels + o]
                                    }
                                }
                                want[((b * g.outputHeight + oy) * g.outputWidth + ox) * outChannels + o] = sum
                            }
                        }
                    }
                }
            }
            var got = [Float](repeating: .nan, count: want.count)
            padded(input, g, batch: batch).withUnsafeBufferPointer { input in
                kernel.withUnsafeBufferPointer { kernel in
                    bias.withUnsafeBufferPointer { bias in
                        got.withUnsafeMutableBufferPointer { out in
                            depthwiseConv2D(input.baseAddress!, geometry: g.padded, multiplier: t.multiplier,
                                            rows: 0..<(batch * g.outputHeight), kernel: kernel.baseAddress!,
                                            bias: bias.baseAddress, into: out.baseAddress!)
                        }
                    }
                }
            }
            assertClose(got, want, "depthwise case \(index): \(t)")
        }
    }

    // MARK: Pooling

    func testPoolingMatchesNaiveLoops() {
        var random = SeededRandom(seed: 4)
        typealias Case = (shape: [Int], pool: (Int, Int), strides: (Int, Int), same: Bool)
        let cases: [Case] = [
            ([13, 13, 2], (2, 2), (2, 2), false), ([13, 13, 2], (2, 2), (2, 2), true),
            ([13, 13, 16], (3, 3), (2, 2), true), ([12, 12, 9], (2, 3), (1, 2), true),
            ([8, 8, 24], (3, 3), (1, 1), true), ([7, 9, 8], (3, 3), (2, 2), false),
            // 16-, 4- and 1-channel blocks, even and odd sizes with a stride-2 "same" window.
            ([22, 22, 16], (3, 3), (2, 2), true), ([11, 11, 21], (3, 3), (2, 2), true),
        ]
        for (index, t) in cases.enumerated() {
            for isMax in [true, false] {
                let batch = 2
                let channels = t.shape[2]
                let input = randomArray(batch * t.shape.reduce(1, *), &random)
                let g = WindowGeometry(input: t.shape, kernel: t.pool, strides: t.strides, same: t.same)
                var want = [Float](repeating: 0, count: batch * g.outputPixels * channels)
                for b in 0..<batch {
                    for oy in 0..<g.outputHeight {
                        for ox in 0..<g.outputWidth {
                            for c in 0..<channels {
                                var values: [Float] = []
                                for ky in 0..<t.pool.0 {
                                    for kx in 0..<t.pool.1 {
                                        let iy = oy * t.strides.0 - g.padTop + ky, ix = ox * t.strides.1 - g.padLeft + kx
                                        guard iy >= 0, iy < t.shape[0], ix >= 0, ix < t.shape[1] else { continue }
                                        values.append(input[((b * t.shape[0] + iy) * t.shape[1] + ix) * channels + c])
                                    }
                                }
                                // TensorFlow: padding never wins a max and is not counted in a mean.
                                want[((b * g.outputHeight + oy) * g.outputWidth + ox) * channels + c] =
                                    isMax ? values.max()! : values.reduce(0, +) / Float(values.count)
                            }
                        }
                    }
                }
                var got = [Float](repeating: .nan, count: want.count)
                var scratch = [Float](repeating: .nan, count: max(batch * (g.paddedCount ?? 0), 1))
                input.withUnsafeBufferPointer { input in
                    got.withUnsafeMutableBufferPointer { out in
                        scratch.withUnsafeMutableBufferPointer { scratch in
                            pool2D(input.baseAddress!, geometry: g, batch: batch, max: isMax, into: out.baseAddress!,
                                   scratch: scratch.baseAddress!)
                        }
                    }
                }
                assertClose(got, want, "\(isMax ? "max" : "average") pool case \(index): \(t)")
            }
        }
    }

    // MARK: Window arithmetic and activations

    func testSamePaddingFollowsTensorFlow() {
        // "same": ceil(in / stride) outputs, the odd padding pixel at the end.
        XCTAssertEqual(Shape.window(input: 16, kernel: 3, stride: 2, dilation: 1, same: true).output, 8)
        XCTAssertEqual(Shape.window(input: 16, kernel: 3, stride: 2, dilation: 1, same: true).padBefore, 0)
        XCTAssertEqual(Shape.window(input: 12, kernel: 4, stride: 2, dilation: 1, same: true).padBefore, 1)
        XCTAssertEqual(Shape.window(input: 13, kernel: 3, stride: 1, dilation: 2, same: true).padBefore, 2)
        XCTAssertEqual(Shape.window(input: 13, kernel: 3, stride: 2, dilation: 1, same: false).output, 6)
        XCTAssertEqual(Shape.window(input: 2, kernel: 3, stride: 1, dilation: 1, same: false).output, 0)
    }

    func testActivationsMatchTheirFormulas() {
        let xs: [Float] = [-3, -0.5, 0, 0.25, 2, 7]
        func check(_ activation: Activation, _ formula: (Double) -> Double, _ label: String) {
            for x in xs {
                XCTAssertEqual(Double(activation.scalar(x)), formula(Double(x)), accuracy: 1e-5, "\(label)(\(x))")
            }
        }
        check(.relu, { max($0, 0) }, "relu")
        check(.sigmoid, { 1 / (1 + exp(-$0)) }, "sigmoid")
        check(.tanh, { tanh($0) }, "tanh")
        check(.elu(alpha: 1), { $0 > 0 ? $0 : exp($0) - 1 }, "elu")
        check(.selu, { $0 > 0 ? 1.0507009873554805 * $0 : 1.0507009873554805 * 1.6732632423543772 * (exp($0) - 1) }, "selu")
        check(.gelu(approximate: false), { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) }, "gelu")
        check(.swish, { $0 / (1 + exp(-$0)) }, "swish")
        check(.softplus, { log(1 + exp($0)) }, "softplus")
        check(.softsign, { $0 / (1 + abs($0)) }, "softsign")
        check(.hardSigmoid(slope: 0.2), { min(max(0.2 * $0 + 0.5, 0), 1) }, "hard_sigmoid (Keras 2)")
        check(.hardSigmoid(slope: 1.0 / 6), { min(max($0 + 3, 0), 6) / 6 }, "hard_sigmoid (Keras 3)")
        check(.leakyRelu(slope: 0.3), { $0 >= 0 ? $0 : 0.3 * $0 }, "leaky_relu")
        check(.clippedRelu(maxValue: 6, negativeSlope: 0, threshold: 0), { min(max($0, 0), 6) }, "relu6")

        var row: [Float] = [1, 2, 3, 1000]
        row.withUnsafeMutableBufferPointer { Activation.softmax.apply($0.baseAddress!, rows: 1, width: 4) }
        XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-6, "softmax sums to 1 even with a large logit")
        XCTAssertEqual(row[3], 1, accuracy: 1e-6)
    }
}
