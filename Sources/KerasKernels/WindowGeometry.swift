// ----------------------------------------------------------------------------
// Geometry of a 2-D sliding window (convolution kernel or pooling window) over an NHWC image,
// and the padded copy of the input that lets the kernels treat every window alike.
//
// The kernels never test whether a tap falls in the padding: a layer with padding first copies
// its input into scratch with the padding written out (zeros for convolutions, -infinity for a
// max pool), then runs on that copy with a geometry that has none. The copy costs one pass over
// the input; the branch-free inner loops it buys run several times faster, and the borders use
// the same register-blocked code as the interior.
// ----------------------------------------------------------------------------

/// Where a 2-D window (convolution kernel or pooling window) lands on an NHWC input.
public struct WindowGeometry {
    public let inputHeight: Int, inputWidth: Int, channels: Int
    public let kernelHeight: Int, kernelWidth: Int
    public let strideY: Int, strideX: Int
    public let dilationY: Int, dilationX: Int
    public let outputHeight: Int, outputWidth: Int
    /// Zero rows above and zero columns left of the input ("same" padding).
    public let padTop: Int, padLeft: Int

    public init(input: [Int], kernel: (Int, Int), strides: (Int, Int), dilation: (Int, Int) = (1, 1), same: Bool) {
        inputHeight = input[0]
        inputWidth = input[1]
        channels = input[2]
        (kernelHeight, kernelWidth) = kernel
        (strideY, strideX) = strides
        (dilationY, dilationX) = dilation
        let vertical = Shape.window(input: inputHeight, kernel: kernelHeight, stride: strideY, dilation: dilationY, same: same)
        let horizontal = Shape.window(input: inputWidth, kernel: kernelWidth, stride: strideX, dilation: dilationX, same: same)
        (outputHeight, padTop) = vertical
        (outputWidth, padLeft) = horizontal
    }

    /// The same windows over the padded input: no padding, every window inside.
    private init(padded g: WindowGeometry) {
        inputHeight = g.paddedHeight
        inputWidth = g.paddedWidth
        channels = g.channels
        (kernelHeight, kernelWidth) = (g.kernelHeight, g.kernelWidth)
        (strideY, strideX) = (g.strideY, g.strideX)
        (dilationY, dilationX) = (g.dilationY, g.dilationX)
        (outputHeight, outputWidth) = (g.outputHeight, g.outputWidth)
        (padTop, padLeft) = (0, 0)
    }

    public var outputPixels: Int { outputHeight * outputWidth }
    public var inputPixels: Int { inputHeight * inputWidth }

    /// Rows of the input with its padding: the padding above, the image, and as many rows below
    /// as the last window reaches.
    public var paddedHeight: Int {
        max(inputHeight + padTop, outputHeight > 0 ? (outputHeight - 1) * strideY + (kernelHeight - 1) * dilationY + 1 : 0)
    }

    public var paddedWidth: Int {
        max(inputWidth + padLeft, outputWidth > 0 ? (outputWidth - 1) * strideX + (kernelWidth - 1) * dilationX + 1 : 0)
    }

    /// Whether some window reaches outside the input.
    public var isPadded: Bool { paddedHeight != inputHeight || paddedWidth != inputWidth }

    /// Floats of one padded sample, or nil when it exceeds `Shape.maxElements` (a hostile
    /// kernel size or dilation); 0 when the input needs no padding.
    public var paddedCount: Int? { isPadded ? Shape.count([paddedHeight, paddedWidth, channels]) : 0 }

    /// The geometry kernels run with: this one if no window reaches outside the input, else the
    /// same windows over the padded copy.
    public var padded: WindowGeometry { isPadded ? WindowGeometry(padded: self) : self }
}

/// `input` itself if no window of `g` reaches outside it, else a copy of its `batch` samples in
/// `scratch` (room for `batch * g.paddedCount` floats) with the padding filled with `fill`.
/// Either way, the result is what `g.padded` describes.
public func padInput(_ input: UnsafePointer<Float>, geometry g: WindowGeometry, batch: Int, fill: Float,
                     scratch: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
    guard g.isPadded else { return input }
    let channels = g.channels
    let rowFloats = g.inputWidth * channels
    let paddedRow = g.paddedWidth * channels
    let left = g.padLeft * channels
    let right = paddedRow - left - rowFloats
    var out = scratch
    for sample in 0..<batch {
        let image = input + sample * g.inputPixels * channels
        for y in 0..<g.paddedHeight {
            let sourceRow = y - g.padTop
            if sourceRow < 0 || sourceRow >= g.inputHeight {
                out.update(repeating: fill, count: paddedRow)
            } else {
                out.update(repeating: fill, count: left)
                (out + left).update(from: image + sourceRow * rowFloats, count: rowFloats)
                (out + left + rowFloats).update(repeating: fill, count: right)
            }
            out += paddedRow
        }
    }
    return UnsafePointer(scratch)
}
