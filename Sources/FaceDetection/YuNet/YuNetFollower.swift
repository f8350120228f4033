/// Following: on the frames between YuNet's whole searches, each face of the frame before is
/// looked for in a window around it (`YuNetWindow`) instead of in the whole frame.
///
/// Why: a whole search of a 640 x 384 working picture costs about 11 ms; a window of 64 to 128
/// pixels a side is a sixtieth to a fifteenth of its pixels. Each window is searched as the whole
/// frame is (same network, decoding and suppression); of the faces found in it, the one
/// overlapping the followed face most (IoU at least `minOverlap`) is that face now. A face that
/// turns away, leaves or is covered is lost until the next whole search, which also finds the
/// faces that came into view since.
///
/// A face already found needs a score of only `scoreMargin` under the detector's threshold to
/// stay followed: the window lines the network's cells up differently from the whole search, and
/// a face near the threshold would otherwise be lost on one frame in twenty (dinner_table and the
/// 1080p crowd clip, every fourth frame searched whole: 97.7% and 91.6% of the whole search's
/// faces followed with no margin, 98.4% and 93.5% with 0.1, no more faces the whole search does
/// not find).
public struct YuNetFollower: Sendable, Equatable {
    /// A window's side over the face's larger side, at least: room for the face to move between
    /// two frames, and the picture around it.
    public var context: Double
    /// Network pixels a side of the windows (multiples of 32): at most (maxSide - minSide) / 32 + 1
    /// plans, whatever the faces' sizes.
    public var minSide: Int
    public var maxSide: Int
    /// The least IoU between a face's last box and a face found in its window for the two to
    /// be the same face.
    public var minOverlap: Double
    /// How far under the detector's score threshold a followed face may score.
    public var scoreMargin: Double

    public init(context: Double = 2, minSide: Int = 64, maxSide: Int = 128, minOverlap: Double = 0.3, scoreMargin: Double = 0.1) {
        let m = YuNetDecoder.multiple
        precondition(minSide > 0 && minSide % m == 0 && maxSide >= minSide && maxSide % m == 0,
                     "window sides \(minSide)...\(maxSide) are not multiples of 32")
        self.context = context
        self.minSide = minSide
        self.maxSide = maxSide
        self.minOverlap = minOverlap
        self.scoreMargin = scoreMargin
    }

    /// `known` (faces of the frame before, in frame pixels) where they are in `picture` now, in
    /// frame pixels, best first; two that have come onto the same face are one (the detector's
    /// suppression). `scale`: frame pixels per pixel of the whole search's working picture.
    public func follow(_ known: [YuNetFace], in picture: Image, scale: Double, detector: YuNetDetector) throws -> [YuNetFace] {
        let (width, height, channels) = (picture.width, picture.height, picture.channels)
        guard width > 0, height > 0, !known.isEmpty else { return [] }
        let threshold = max(detector.options.scoreThreshold - scoreMargin, 0.01)
        let found: [YuNetFace] = try picture.withUnsafePixels { base, stride in
            guard let base else { return [] }
            return try known.compactMap { face in
                let window = YuNetWindow(around: face, context: context, scale: scale, minSide: minSide, maxSide: maxSide,
                                         frameWidth: width, frameHeight: height)
                let candidates = try detector.detect(in: window, pixels: base, width: width, height: height,
                                                     channels: channels, rowStride: stride, threshold: threshold)
                return candidates.map { (face: $0, iou: $0.intersectionOverUnion(face)) }
                    .filter { $0.iou >= minOverlap }
                    .max { $0.iou < $1.iou }?.face
            }
        }
        return YuNetSuppression.suppress(found, threshold: detector.options.nmsThreshold)
    }
}
