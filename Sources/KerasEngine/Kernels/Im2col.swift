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
    let rowSpan = g.kernelWidth * groupChannels
    // A kernel row's taps are one contiguous run of the input when they are adjacent pixels and
    // the group is all the channels.
    let contiguousRows = g.dilationX == 1 && groupChannels == g.channels
    var sample = firstRow / g.outputPixels
    let pixel = firstRow - sample * g.outputPixels
    var oy = pixel / g.outputWidth
    var ox = pixel - oy * g.outputWidth
    for r in 0..<rowCount {
        let image = input + sample * g.inputPixels * g.channels + channelOffset
        var destination = a + r * k
        let x0 = ox * g.strideX - g.padLeft
        let rowInside = x0 >= 0 && x0 + (g.kernelWidth - 1) * g.dilationX < g.inputWidth
        for ky in 0..<g.kernelHeight {
            let iy = oy * g.strideY - g.padTop + ky * g.dilationY
            if iy < 0 || iy >= g.inputHeight {
                fill(destination, count: rowSpan)
            } else if rowInside && contiguousRows {
                copy(destination, image + (iy * g.inputWidth + x0) * g.channels, count: rowSpan)
            } else {
                var tap = destination
                for kx in 0..<g.kernelWidth {
                    let ix = x0 + kx * g.dilationX
                    if ix < 0 || ix >= g.inputWidth {
                        fill(tap, count: groupChannels)
                    } else {
                        copy(tap, image + (iy * g.inputWidth + ix) * g.channels, count: groupChannels)
                    }
                    tap += groupChannels
                }
            }
            destination += rowSpan
        }
        // Next output pixel.
        ox += 1
        if ox == g.outputWidth {
            ox = 0
            oy += 1
            if oy == g.outputHeight {
                oy = 0
                sample += 1
            }
        }
    }
}

/// Short copies are most of im2col's work: a plain loop beats a call to memmove for them.
@inline(__always)
func copy(_ destination: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, count: Int) {
    if count >= 64 {
        destination.update(from: source, count: count)
    } else {
        for i in 0..<count { destination[i] = source[i] }
    }
}

@inline(__always)
func fill(_ destination: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { destination[i] = 0 }
}
