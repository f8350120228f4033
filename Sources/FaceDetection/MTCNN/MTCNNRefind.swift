/// A face that following lost, searched for again at once in a window around its last box.
///
/// Why: between whole searches each known face is followed by O-Net alone on its last box;
/// when a face turns or is covered for a moment, O-Net's score drops under its threshold and
/// the face was gone until the next whole search, up to `--detect-every` - 1 frames later
/// (most of MTCNN's misses on the shared clips: phone_smile's face looking down, a performer
/// between two searches). The whole cascade on a small window finds it again for a few
/// milliseconds, where a whole search costs 50.
///
/// The window (twice the face's side, on its centre) is resampled to a fixed
/// `refindWindow` pixels a side with the reference's crop-and-resize, so P-Net is planned once
/// for every face and frame size; its pyramid looks for faces from a quarter of the window to
/// all of it (half to twice the lost box).
extension MTCNNDetector {
    static let refindWindow = 96

    /// The most confident face in the window around `lost` (frame pixels) that overlaps it
    /// (IoU >= 0.3), in frame pixels; nil when there is none.
    public func refind(_ lost: FaceBox, pixels: UnsafeBufferPointer<UInt8>, width: Int, height: Int, channels: Int) -> MTCNNFace? {
        guard width >= 12, height >= 12, lost.width > 0, lost.height > 0 else { return nil }
        let start = MonotonicClock.now()
        let saved = timing
        defer {
            // The stages' own clocks ran too: this time counts as re-finding only.
            var counted = saved
            counted.refinds += 1
            counted.refindSeconds += MonotonicClock.now() - start
            timing = counted
        }
        let side = Double(max(lost.width, lost.height)) * 2
        let cx = Double(lost.x) + Double(lost.width) / 2, cy = Double(lost.y) + Double(lost.height) / 2
        let area = MTCNNBox(x1: cx - side / 2, y1: cy - side / 2, x2: cx + side / 2, y2: cy + side / 2, score: 1)
        let size = Self.refindWindow
        if window.count != size * size * 3 { window = [Float](repeating: 0, count: size * size * 3) }
        let picture = frame(pixels, width: width, height: height, channels: channels)
        window.withUnsafeMutableBufferPointer { cropAndResize(picture, box: area, size: size, into: $0.baseAddress!) }
        let found: [MTCNNBox] = window.withUnsafeBufferPointer { values in
            let view = FloatPicture(values: values.baseAddress!, width: size, height: size)
            guard var candidates = try? proposals(view, minFace: size / 4), !candidates.isEmpty else { return [] }
            candidates = refine(candidates, view)
            return candidates.isEmpty ? [] : output(candidates, view)
        }
        // Window pixel -> frame pixel, as crop-and-resize sampled it (TensorFlow's convention:
        // the box as fractions of the picture, sampled between 0 and side - 1).
        let xMax = Double(width - 1), yMax = Double(height - 1)
        let x0 = Double(Float(area.x1 / Double(width))) * xMax, y0 = Double(Float(area.y1 / Double(height))) * yMax
        let xStep = (area.x2 - area.x1) / Double(width) * xMax / Double(size - 1)
        let yStep = (area.y2 - area.y1) / Double(height) * yMax / Double(size - 1)
        let faces = found.map { box -> MTCNNFace in
            var mapped = MTCNNBox(x1: x0 + box.x1 * xStep, y1: y0 + box.y1 * yStep, x2: x0 + box.x2 * xStep,
                                  y2: y0 + box.y2 * yStep, score: box.score)
            mapped.landmarks = box.landmarks.enumerated().map { index, value in index < 5 ? x0 + value * xStep : y0 + value * yStep }
            return face(from: mapped, width: width, height: height)
        }
        return faces.filter { $0.box.intersectionOverUnion(lost) >= 0.3 }.max { $0.confidence < $1.confidence }
    }
}
