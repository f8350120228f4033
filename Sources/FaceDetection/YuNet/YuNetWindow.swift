/// A square of a frame around a face, resampled for the network: what following
/// (`YuNetFollower`) searches instead of the whole frame.
///
/// The window shows the face at the scale the whole search sees it (the frame shrunk to the
/// working size), so the network judges it as the whole search does: on dinner_table, faces
/// followed at a fixed 32 pixels (a half to a third of that size) were lost five times as often
/// (11% of the whole search's faces against 2.3%, every fourth frame searched whole). A face
/// too large for the largest window is shrunk further. Window sides are multiples of 32 (the
/// network's input must be) from `minSide` to `maxSide`, so following needs a few plans, made
/// once.
///
/// Coordinates: network pixel column `j` spans frame columns `x + j * scale` to
/// `x + (j + 1) * scale` (pixel edges on whole numbers), as `YuNetFace.scaled` maps a shrunk
/// frame's faces back.
struct YuNetWindow: Equatable {
    /// The square's top-left corner and side in frame pixels. It lies inside the frame where the
    /// frame is large enough; parts past the frame's edges read as zeros, as the network's padding.
    var x: Double
    var y: Double
    var span: Double
    /// Network pixels a side (a multiple of 32).
    var side: Int

    /// Frame pixels per network pixel.
    var scale: Double { span / Double(side) }

    /// The square around `face` of at least `context` times its larger side, on its centre, at
    /// `scale` frame pixels per network pixel (at least 1: never enlarged) or, if it would need
    /// more than `maxSide` network pixels, at the scale that fits it in `maxSide`; its side
    /// rounded up to a multiple of 32 and at least `minSide`. Moved inside a `frameWidth` x
    /// `frameHeight` frame where it fits: a face at the frame's edge keeps the picture around it.
    init(around face: YuNetFace, context: Double, scale: Double, minSide: Int, maxSide: Int, frameWidth: Int, frameHeight: Int) {
        let m = YuNetDecoder.multiple
        precondition(minSide > 0 && minSide % m == 0 && maxSide >= minSide && maxSide % m == 0,
                     "window sides \(minSide)...\(maxSide) are not multiples of 32")
        let wanted = context * max(face.width, face.height, 1)
        let scale = max(scale, 1, wanted / Double(maxSide))
        let side = min(max((Int((wanted / scale).rounded(.up)) + m - 1) / m * m, minSide), maxSide)
        let span = Double(side) * scale
        func start(centre: Double, frame: Int) -> Double {
            let free = Double(frame) - span
            return min(max(centre - span / 2, min(0, free)), max(0, free))
        }
        self.init(x: start(centre: face.x + face.width / 2, frame: frameWidth),
                  y: start(centre: face.y + face.height / 2, frame: frameHeight), span: span, side: side)
    }

    init(x: Double, y: Double, span: Double, side: Int) {
        self.x = x
        self.y = y
        self.span = span
        self.side = side
    }

    /// A face found in the window, in frame pixels.
    func toFrame(_ face: YuNetFace) -> YuNetFace {
        var mapped = face.scaled(x: scale, y: scale)
        mapped.x += x
        mapped.y += y
        mapped.landmarks = mapped.landmarks.map { FacePoint(x: $0.x + x, y: $0.y + y) }
        return mapped
    }

    /// Writes the window into `input` (`side` x `side` x 3 floats, BGR 0..255) from a frame's
    /// bytes (`channels` per pixel: 1 grey, copied to all three; 3 or more, the first three;
    /// rows `rowStride` bytes apart). Enlarged or shrunk by less than 2, a network pixel is the
    /// frame interpolated at its centre (bilinear); shrunk by more, the mean of k x k frame
    /// pixels spread over it (k the shrink rounded up), so small details are averaged rather
    /// than skipped, as the whole search's INTER_AREA shrink averages them.
    func fill(_ input: UnsafeMutablePointer<Float>, from pixels: UnsafePointer<UInt8>, width: Int, height: Int,
              channels: Int, rowStride: Int) {
        let columns = Self.taps(start: x, scale: scale, count: side, limit: width)
        let rows = Self.taps(start: y, scale: scale, count: side, limit: height)
        let offsets = channels == 1 ? (0, 0, 0) : (0, 1, 2)
        var target = input
        for i in 0..<side {
            for j in 0..<side {
                var (b, g, r): (Float, Float, Float) = (0, 0, 0)
                for a in 0..<rows.perOutput {
                    let rowWeight = rows.weight[i * rows.perOutput + a]
                    if rowWeight == 0 { continue }
                    let row = pixels + rows.index[i * rows.perOutput + a] * rowStride
                    for c in 0..<columns.perOutput {
                        let weight = rowWeight * columns.weight[j * columns.perOutput + c]
                        let pixel = row + columns.index[j * columns.perOutput + c] * channels
                        b += weight * Float(pixel[offsets.0])
                        g += weight * Float(pixel[offsets.1])
                        r += weight * Float(pixel[offsets.2])
                    }
                }
                target[0] = b
                target[1] = g
                target[2] = r
                target += 3
            }
        }
    }

    /// Per network pixel along one axis, the frame pixels it reads and their weights
    /// (`perOutput` each; a tap past the frame has weight 0, reading zeros).
    static func taps(start: Double, scale: Double, count: Int, limit: Int) -> (index: [Int], weight: [Float], perOutput: Int) {
        let samples = scale < 2 ? 1 : Int(scale.rounded(.up))
        let perOutput = samples == 1 ? 2 : samples
        var index = [Int](repeating: 0, count: count * perOutput)
        var weight = [Float](repeating: 0, count: count * perOutput)
        func set(_ slot: Int, _ position: Int, _ value: Double) {
            guard position >= 0, position < limit else { return }
            index[slot] = position
            weight[slot] = Float(value)
        }
        for j in 0..<count {
            if samples == 1 {
                // Bilinear at the pixel's centre (frame pixel p's centre is at p + 0.5); a centre
                // inside the frame's last half pixel repeats the edge pixel, as OpenCV's resize does.
                let centre = start + (Double(j) + 0.5) * scale - 0.5
                guard centre >= -0.5, centre < Double(limit) - 0.5 else { continue }
                let left = centre.rounded(.down), fraction = centre - left
                set(j * 2, min(max(Int(left), 0), limit - 1), 1 - fraction)
                set(j * 2 + 1, min(max(Int(left) + 1, 0), limit - 1), fraction)
            } else {
                for s in 0..<samples {
                    let position = start + (Double(j) + (Double(s) + 0.5) / Double(samples)) * scale
                    set(j * perOutput + s, Int(position.rounded(.down)), 1 / Double(samples))
                }
            }
        }
        return (index, weight, perOutput)
    }
}
