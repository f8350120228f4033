// ----------------------------------------------------------------------------
// Geometry of a 2-D sliding window (convolution kernel or pooling window) over an NHWC image.
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
