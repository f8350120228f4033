import KerasKernels

/// Layers that move pixels without arithmetic, NHWC: `ZeroPadding2D` (zeros around),
/// `Cropping2D` (rows and columns removed) and `UpSampling2D` (nearest neighbour). All three
/// are one copy with a per-axis mapping from output to input coordinates.
final class Spatial2DLayer: Layer {
    let outputShape: [Int]
    let inputShape: [Int]
    /// Output row/column -> input row/column, or -1 for a zero (padding).
    private let sourceRow: [Int]
    private let sourceColumn: [Int]

    init(_ context: LayerContext) throws {
        try context.requireChannelsLast()
        let input = try context.singleInput(rank: 3)
        inputShape = input
        let (height, width) = (input[0], input[1])
        switch context.className {
        case "ZeroPadding2D", "Cropping2D":
            let key = context.className == "ZeroPadding2D" ? "padding" : "cropping"
            let ((top, bottom), (left, right)) = try Self.amounts(context, key: key)
            if context.className == "ZeroPadding2D" {
                guard height + top + bottom <= 1 << 16, width + left + right <= 1 << 16 else {
                    throw context.invalid("padding makes the image larger than 65536 pixels on a side")
                }
                sourceRow = (0..<(height + top + bottom)).map { $0 - top < 0 || $0 - top >= height ? -1 : $0 - top }
                sourceColumn = (0..<(width + left + right)).map { $0 - left < 0 || $0 - left >= width ? -1 : $0 - left }
            } else {
                guard top + bottom < height, left + right < width else {
                    throw context.shapeError("cropping (\(top), \(bottom)), (\(left), \(right)) leaves nothing of a \(height)x\(width) input")
                }
                sourceRow = Array(top..<(height - bottom))
                sourceColumn = Array(left..<(width - right))
            }
        case "UpSampling2D":
            let (sy, sx) = try context.pair("size", default: (2, 2), range: 1...1024)
            let interpolation = try context.string("interpolation", default: "nearest")
            guard interpolation == "nearest" else { throw context.unsupported("interpolation '\(interpolation)' (only nearest)") }
            guard let rows = height.times(sy), let columns = width.times(sx), rows <= 1 << 16, columns <= 1 << 16 else {
                throw context.invalid("upsampling makes the image larger than 65536 pixels on a side")
            }
            sourceRow = (0..<rows).map { $0 / sy }
            sourceColumn = (0..<columns).map { $0 / sx }
        default:
            throw context.unsupported("not a 2-D spatial layer")
        }
        outputShape = try context.checkedShape([sourceRow.count, sourceColumn.count, input[2]])
    }

    /// `n`, `(a, b)` (symmetric per axis) or `((top, bottom), (left, right))`.
    private static func amounts(_ context: LayerContext, key: String) throws -> ((Int, Int), (Int, Int)) {
        let raw = context.value(key) ?? 1
        func count(_ value: Any) throws -> Int {
            guard let number = LayerContext.integer(value), (0...(1 << 16)).contains(number) else {
                throw context.invalid("'\(key)' holds something other than integers in 0...65536")
            }
            return number
        }
        if LayerContext.integer(raw) != nil {
            let n = try count(raw)
            return ((n, n), (n, n))
        }
        guard let list = raw as? [Any], list.count == 2 else { throw context.invalid("'\(key)' is not an integer or a pair") }
        if let rows = list[0] as? [Any], let columns = list[1] as? [Any], rows.count == 2, columns.count == 2 {
            return ((try count(rows[0]), try count(rows[1])), (try count(columns[0]), try count(columns[1])))
        }
        let (vertical, horizontal) = (try count(list[0]), try count(list[1]))
        return ((vertical, vertical), (horizontal, horizontal))
    }

    func forward(_ inputs: [UnsafePointer<Float>], output: UnsafeMutablePointer<Float>, batch: Int,
                 scratch: UnsafeMutablePointer<Float>) {
        let channels = inputShape[2]
        let inputSize = inputShape[0] * inputShape[1] * channels
        var out = output
        for sample in 0..<batch {
            let image = inputs[0] + sample * inputSize
            for row in sourceRow {
                for column in sourceColumn {
                    if row < 0 || column < 0 {
                        out.update(repeating: 0, count: channels)
                    } else {
                        out.update(from: image + (row * inputShape[1] + column) * channels, count: channels)
                    }
                    out += channels
                }
            }
        }
    }
}

/// Keras `Permute`: reorders the non-batch axes (`dims` counts them from 1). Inputs have at
/// most three axes; shorter shapes are padded with leading 1s so one loop nest serves all.
final class PermuteLayer: Layer {
    let outputShape: [Int]
    /// Output dimensions and, for each, the input stride it walks, padded to three axes.
    private let dims: (Int, Int, Int)
    private let strides: (Int, Int, Int)
    private let count: Int

    init(_ context: LayerContext) throws {
        let input = try context.singleInput()
        guard input.count <= 3 else { throw context.unsupported("permuting a rank-\(input.count + 1) tensor (at most 4)") }
        guard let raw = context.value("dims") as? [Any], raw.count == input.count else {
            throw context.invalid("'dims' does not list all \(input.count) non-batch axes")
        }
        let order = try raw.map { item -> Int in
            guard let axis = LayerContext.integer(item), (1...input.count).contains(axis) else {
                throw context.invalid("'dims' holds something other than axes 1...\(input.count)")
            }
            return axis - 1
        }
        guard Set(order).count == order.count else { throw context.invalid("'dims' repeats an axis") }
        outputShape = order.map { input[$0] }
        var inputStrides = [Int](repeating: 1, count: input.count)
        for axis in stride(from: input.count - 2, through: 0, by: -1) { inputStrides[axis] = inputStrides[axis + 1] * input[axis + 1] }
        let padding = 3 - input.count
        let paddedDims = [Int](repeating: 1, count: padding) + outputShape
        let paddedStrides = [Int](repeating: 0, count: padding) + order.map { inputStrides[$0] }
        dims = (paddedDims[0], paddedDims[1], paddedDims[2])
        strides = (paddedStrides[0], paddedStrides[1], paddedStrides[2])
        count = Shape.count(input) ?? 0
    }

    func forward(_ inputs: [UnsafePointer<Float>], output: UnsafeMutablePointer<Float>, batch: Int,
                 scratch: UnsafeMutablePointer<Float>) {
        var out = output
        for sample in 0..<batch {
            let input = inputs[0] + sample * count
            for i in 0..<dims.0 {
                for j in 0..<dims.1 {
                    let row = input + i * strides.0 + j * strides.1
                    for k in 0..<dims.2 { out[k] = row[k * strides.2] }
                    out += dims.2
                }
            }
        }
    }
}
