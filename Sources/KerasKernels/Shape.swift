/// Shape arithmetic shared by the loader and the layers.
///
/// A shape here is one sample's shape: the batch dimension is dropped. Image tensors are NHWC
/// (`[H, W, C]`), row-major, so a sample's channels are contiguous and `Flatten` is free.
public enum Shape {
    /// Largest element count accepted for one sample's tensor or one weight (1 GiB of floats).
    public static let maxElements = 1 << 28

    /// Product of the dimensions, or nil if it overflows or exceeds `maxElements`.
    public static func count(_ shape: [Int]) -> Int? {
        var total = 1
        for dim in shape {
            guard dim >= 0 else { return nil }
            let (product, overflow) = total.multipliedReportingOverflow(by: dim)
            guard !overflow, product <= maxElements else { return nil }
            total = product
        }
        return total
    }

    /// `(8, 8, 16)`: how Keras prints a shape, without the batch dimension.
    public static func describe(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    /// Output length and leading padding of one spatial axis of a convolution or pooling window,
    /// following TensorFlow's rules: "valid" uses only whole windows; "same" gives ceil(in / stride)
    /// outputs and puts the odd padding pixel at the end.
    public static func window(input: Int, kernel: Int, stride: Int, dilation: Int, same: Bool) -> (output: Int, padBefore: Int) {
        let span = (kernel - 1) * dilation + 1
        if same {
            let output = (input + stride - 1) / stride
            let padTotal = max((output - 1) * stride + span - input, 0)
            return (output, padTotal / 2)
        }
        guard input >= span else { return (0, 0) }
        return ((input - span) / stride + 1, 0)
    }
}

/// Checked integer helpers: sizes derived from a file never trap on overflow.
extension Int {
    public func times(_ other: Int) -> Int? {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? nil : product
    }
}
