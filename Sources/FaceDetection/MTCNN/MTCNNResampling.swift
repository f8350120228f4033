/// The two resamplings MTCNN's reference implementation (PyPI `mtcnn` 1.0.0, on TensorFlow)
/// uses, reproduced to the float32 operation (the pyramid of a frame's bytes: to float rounding,
/// see `AreaResize.apply(bytesOf:into:)`) so that the detector finds the faces it finds:
/// `tf.image.resize(method: AREA)` for the pyramid and `tf.image.crop_and_resize` (bilinear,
/// zero outside the picture) for the R-Net and O-Net crops. Both read an `MTCNNPixels`: H x W x 3
/// float32 values, channels last, normalized; see training/detectors/mtcnn-notes.md.

/// A picture as the resamplings read it: value `channel` (RGB order) of pixel `pixel`
/// (row-major index).
protocol MTCNNPixels {
    var width: Int { get }
    var height: Int { get }
    func value(_ pixel: Int, _ channel: Int) -> Float
    /// Row `y`'s values, `width` x 3 floats.
    func row(_ y: Int, into values: UnsafeMutablePointer<Float>)
}

extension MTCNNPixels {
    /// Row `y`'s values, `width` x 3 floats.
    func row(_ y: Int, into values: UnsafeMutablePointer<Float>) {
        let first = y * width
        for x in 0..<width {
            values[x * 3] = value(first + x, 0)
            values[x * 3 + 1] = value(first + x, 1)
            values[x * 3 + 2] = value(first + x, 2)
        }
    }
}

/// A frame's bytes (BGR or grey) read as the reference's input: TensorFlow's float decode times
/// 255, then (x - 127.5) / 128, RGB, grey replicated to three channels. Computed on each read
/// rather than stored: a float copy of an 854x480 frame is 4.9 MB, a fifth of what MTCNN adds
/// to a run, and the resamplings read each pixel only a few times.
struct NormalizedFrame: MTCNNPixels {
    let bytes: UnsafePointer<UInt8>
    let width: Int
    let height: Int
    let channels: Int
    /// The 256 values a byte becomes.
    private let table: UnsafePointer<Float>

    /// `table`: `NormalizedFrame.table()`, kept by the caller for as long as the frame is read.
    init(bytes: UnsafePointer<UInt8>, width: Int, height: Int, channels: Int, table: UnsafePointer<Float>) {
        self.bytes = bytes
        self.width = width
        self.height = height
        self.channels = channels
        self.table = table
    }

    /// What each byte value becomes, in the reference's float steps.
    static func table() -> [Float] {
        (0..<256).map { (Float($0) * Float(1.0 / 255.0) * 255 - 127.5) / 128 }
    }

    @inline(__always)
    func value(_ pixel: Int, _ channel: Int) -> Float {
        table[Int(bytes[pixel * channels + (channels >= 3 ? 2 - channel : 0)])]
    }

    /// What a black pixel (byte 0) reads as.
    var blackValue: Float { table[0] }

    func row(_ y: Int, into values: UnsafeMutablePointer<Float>) {
        let line = bytes + y * width * channels
        if channels >= 3 {
            for x in 0..<width {
                let p = line + x * channels
                values[x * 3] = table[Int(p[2])]
                values[x * 3 + 1] = table[Int(p[1])]
                values[x * 3 + 2] = table[Int(p[0])]
            }
        } else {
            for x in 0..<width {
                let v = table[Int(line[x * channels])]
                values[x * 3] = v
                values[x * 3 + 1] = v
                values[x * 3 + 2] = v
            }
        }
    }
}

/// Float values already normalized, H x W x 3.
struct FloatPicture: MTCNNPixels {
    let values: UnsafePointer<Float>
    let width: Int
    let height: Int

    @inline(__always)
    func value(_ pixel: Int, _ channel: Int) -> Float { values[pixel * 3 + channel] }
}

/// One axis of an area resize: for each output cell, the input cells it covers and their
/// weights, flattened (`offsets[o]..<offsets[o + 1]` in `cells` and `weights`). Computed once
/// per (input, output) size pair and kept: the pyramid of a video never changes size.
struct AreaAxis {
    let offsets: [Int]
    let cells: [Int]
    let weights: [Float]
    let scale: Float

    init(input: Int, output: Int) {
        let s = Float(input) / Float(output)
        var offsets = [0], cells: [Int] = [], weights: [Float] = []
        for o in 0..<output {
            let low = Float(o) * s, high = Float(o + 1) * s
            let first = Int(low.rounded(.down))
            let last = min(Int(high.rounded(.up)) - 1, input - 1)
            if first <= last {
                for i in first...last {
                    let fi = Float(i)
                    let w: Float
                    if fi < low {
                        w = fi + 1 > high ? s : fi + 1 - low
                    } else {
                        w = fi + 1 > high ? high - fi : 1
                    }
                    cells.append(i)
                    weights.append(w)
                }
            }
            offsets.append(cells.count)
        }
        self.offsets = offsets
        self.cells = cells
        self.weights = weights
        scale = s
    }
}

/// An area resize from one picture size to another, with its axes precomputed. Separable: each
/// input row is first reduced to the output's columns, then the rows are combined, which reads
/// each input pixel once per output column it touches instead of once per output pixel.
struct AreaResize {
    let input: (height: Int, width: Int)
    let output: (height: Int, width: Int)
    private let rows: AreaAxis
    private let columns: AreaAxis

    init(inputHeight: Int, inputWidth: Int, outputHeight: Int, outputWidth: Int) {
        input = (inputHeight, inputWidth)
        output = (outputHeight, outputWidth)
        rows = AreaAxis(input: inputHeight, output: outputHeight)
        columns = AreaAxis(input: inputWidth, output: outputWidth)
    }

    /// Resizes `source` (input size, 3 channels) into `destination` (output size, 3 channels).
    func apply<Source: MTCNNPixels>(_ source: Source, into destination: UnsafeMutablePointer<Float>) {
        precondition(source.width == input.width && source.height == input.height, "the picture is not the resize's input size")
        if let frame = source as? NormalizedFrame {
            return apply(bytesOf: frame, into: destination)
        }
        let norm = 1 / (rows.scale * columns.scale)
        let outStride = output.width * 3
        // One input row reduced to the output's columns; the output row accumulates them.
        let line = UnsafeMutablePointer<Float>.allocate(capacity: outStride)
        let sum = UnsafeMutablePointer<Float>.allocate(capacity: outStride)
        // The input row in floats, made once for the output rows that share it (a frame's
        // bytes are normalized here, not kept as a float copy of the frame).
        let values = UnsafeMutablePointer<Float>.allocate(capacity: input.width * 3)
        var valuesRow = -1
        defer { line.deallocate(); sum.deallocate(); values.deallocate() }
        for oy in 0..<output.height {
            sum.update(repeating: 0, count: outStride)
            for k in rows.offsets[oy]..<rows.offsets[oy + 1] {
                let yw = rows.weights[k]
                if rows.cells[k] != valuesRow {
                    valuesRow = rows.cells[k]
                    source.row(valuesRow, into: values)
                }
                reduceColumns(values, pixelStride: 3, rgb: (0, 1, 2), into: line)
                for i in 0..<outStride { sum[i] += yw * line[i] }
            }
            let out = destination + oy * outStride
            for i in 0..<outStride { out[i] = sum[i] * norm }
        }
    }

    /// One row reduced to the output's columns: for each output cell, the weighted sum of the
    /// input cells it covers, per channel, into `line` (output width x 3, RGB). `rgb`: where red,
    /// green and blue lie within a pixel of `pixelStride` values.
    @inline(__always)
    private func reduceColumns(_ row: UnsafePointer<Float>, pixelStride: Int, rgb: (Int, Int, Int),
                               into line: UnsafeMutablePointer<Float>) {
        columns.offsets.withUnsafeBufferPointer { xo in
        columns.cells.withUnsafeBufferPointer { xc in
        columns.weights.withUnsafeBufferPointer { xw in
            for ox in 0..<output.width {
                var r: Float = 0, g: Float = 0, b: Float = 0
                for j in xo[ox]..<xo[ox + 1] {
                    let p = row + xc[j] * pixelStride, w = xw[j]
                    r += w * p[rgb.0]
                    g += w * p[rgb.1]
                    b += w * p[rgb.2]
                }
                line[ox * 3] = r
                line[ox * 3 + 1] = g
                line[ox * 3 + 2] = b
            }
        }
        }
        }
    }

    /// A frame's bytes resized the other way round: the rows of each output row summed first,
    /// straight from the bytes (a contiguous multiply-add the compiler vectorizes), then the
    /// columns, then normalized. Area weights sum to one and normalizing is affine, so this is
    /// the reference's result up to float rounding (within 2e-6, tested). Normalizing every byte
    /// of the frame again for each level was most of the pyramid's time: 13 -> 3.4 ms per whole
    /// search at 854x480.
    private func apply(bytesOf frame: NormalizedFrame, into destination: UnsafeMutablePointer<Float>) {
        let channels = frame.channels, inRow = input.width * channels
        let norm = 1 / (rows.scale * columns.scale)
        let low = frame.blackValue, step = Float(1) / 128
        let acc = UnsafeMutablePointer<Float>.allocate(capacity: inRow)
        defer { acc.deallocate() }
        // Which byte of a pixel is red, green and blue (BGR; grey is all three).
        let rgb = channels >= 3 ? (2, 1, 0) : (0, 0, 0)
        let outStride = output.width * 3
        for oy in 0..<output.height {
            acc.update(repeating: 0, count: inRow)
            for k in rows.offsets[oy]..<rows.offsets[oy + 1] {
                let w = rows.weights[k] * norm
                let line = frame.bytes + rows.cells[k] * inRow
                for i in 0..<inRow { acc[i] += w * Float(line[i]) }
            }
            let out = destination + oy * outStride
            reduceColumns(acc, pixelStride: channels, rgb: rgb, into: out)
            // Byte value v reads as (v - 127.5) / 128: the black value plus v / 128.
            for i in 0..<outStride { out[i] = low + out[i] * step }
        }
    }
}

/// `crop_and_resize` of one box ([x1, y1, x2, y2] in picture pixels) to `size` x `size`,
/// bilinear, 0 where the sample falls outside the picture. TensorFlow takes the box as
/// fractions of the height and width (y1 / H, not y1 / (H - 1)) and samples between 0 and
/// H - 1; the same arithmetic, in the same float32 steps, is done here.
func cropAndResize<Source: MTCNNPixels>(_ picture: Source, box: MTCNNBox, size: Int, into destination: UnsafeMutablePointer<Float>) {
    let height = picture.height, width = picture.width
    let y1 = Float(box.y1 / Double(height)), y2 = Float(box.y2 / Double(height))
    let x1 = Float(box.x1 / Double(width)), x2 = Float(box.x2 / Double(width))
    let hMax = Float(height - 1), wMax = Float(width - 1)
    let yStep = size > 1 ? (y2 - y1) * hMax / Float(size - 1) : 0
    let xStep = size > 1 ? (x2 - x1) * wMax / Float(size - 1) : 0
    for i in 0..<size {
        let inY = size > 1 ? y1 * hMax + Float(i) * yStep : 0.5 * (y1 + y2) * hMax
        let row = destination + i * size * 3
        guard inY >= 0, inY <= hMax else {
            row.update(repeating: 0, count: size * 3)
            continue
        }
        let top = Int(inY.rounded(.down)), bottom = Int(inY.rounded(.up))
        let ly = inY - Float(top)
        let topLine = top * width, bottomLine = bottom * width
        for j in 0..<size {
            let inX = size > 1 ? x1 * wMax + Float(j) * xStep : 0.5 * (x1 + x2) * wMax
            let out = row + j * 3
            guard inX >= 0, inX <= wMax else {
                out[0] = 0; out[1] = 0; out[2] = 0
                continue
            }
            let left = Int(inX.rounded(.down)), right = Int(inX.rounded(.up))
            let lx = inX - Float(left)
            for c in 0..<3 {
                let tl = picture.value(topLine + left, c), tr = picture.value(topLine + right, c)
                let bl = picture.value(bottomLine + left, c), br = picture.value(bottomLine + right, c)
                let t = tl + (tr - tl) * lx
                let b = bl + (br - bl) * lx
                out[c] = t + (b - t) * ly
            }
        }
    }
}
