// ----------------------------------------------------------------------------
// Geometry of a 2-D sliding window over an NHWC image, and im2col: the rows of A for a
// convolution as a matrix multiply.
// ----------------------------------------------------------------------------

/// Where a 2-D window (convolution kernel or pooling window) lands on an NHWC input.
struct WindowGeometry {
    let inputHeight: Int, inputWidth: Int, channels: Int
    let kernelHeight: Int, kernelWidth: Int
    let strideY: Int, strideX: Int
    let dilationY: Int, dilationX: Int
    let outputHeight: Int, outputWidth: Int
    /// Zero rows above and zero columns left of the input ("same" padding).
    let padTop: Int, padLeft: Int

    init(input: [Int], kernel: (Int, Int), strides: (Int, Int), dilation: (Int, Int) = (1, 1), same: Bool) {
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

    var outputPixels: Int { outputHeight * outputWidth }
    var inputPixels: Int { inputHeight * inputWidth }
}

/// Writes rows `firstRow..<firstRow + rowCount` of the im2col matrix for channels
/// `channelOffset..<channelOffset + groupChannels`: row r is output pixel r (batch-major), its
/// K = kernelHeight * kernelWidth * groupChannels entries in (ky, kx, channel) order, which is
/// the order of a Keras kernel `(kh, kw, in, out)` flattened. Taps outside the image are zeros.
func im2col(_ input: UnsafePointer<Float>, geometry g: WindowGeometry, channelOffset: Int, groupChannels: Int,
            firstRow: Int, rowCount: Int, into a: UnsafeMutablePointer<Float>) {
    let k = g.kernelHeight * g.kernelWidth * groupChannels
    for r in 0..<rowCount {
        let row = firstRow + r
        let sample = row / g.outputPixels
        let pixel = row - sample * g.outputPixels
        let oy = pixel / g.outputWidth
        let ox = pixel - oy * g.outputWidth
        let image = input + sample * g.inputPixels * g.channels + channelOffset
        var destination = a + r * k
        for ky in 0..<g.kernelHeight {
            let iy = oy * g.strideY - g.padTop + ky * g.dilationY
            if iy < 0 || iy >= g.inputHeight {
                destination.update(repeating: 0, count: g.kernelWidth * groupChannels)
                destination += g.kernelWidth * groupChannels
                continue
            }
            for kx in 0..<g.kernelWidth {
                let ix = ox * g.strideX - g.padLeft + kx * g.dilationX
                if ix < 0 || ix >= g.inputWidth {
                    destination.update(repeating: 0, count: groupChannels)
                } else {
                    destination.update(from: image + (iy * g.inputWidth + ix) * g.channels, count: groupChannels)
                }
                destination += groupChannels
            }
        }
    }
}
