/// Which detector, `detectMultiScale`'s parameters (Haar, with the original project's
/// defaults), MTCNN's or YuNet's, and how often the whole frame is searched (`detectEvery`,
/// Haar and MTCNN).
public struct DetectorOptions: Equatable, Sendable {
    /// Which detector: `defaultKind` unless asked.
    public var kind: DetectorKind = DetectorOptions.defaultKind
    /// The detector of a run that names none (and no Haar cascade).
    public static let defaultKind: DetectorKind = .haar
    /// MTCNN's settings; its smallest face is `minFace` when that is at least 12.
    public var mtcnn = MTCNNOptions()
    /// YuNet's settings (`minFace`, `maxFace` and `detectScale` apply to it too; `detectEvery`
    /// does not: it searches every frame whole).
    public var yunet = YuNetOptions()
    /// YuNet's network file; nil finds `yunet-n.h5` beside the emotion model (`ShippedFiles`).
    public var yunetModel: String?
    /// The folder holding mtcnn-pnet.h5, mtcnn-rnet.h5 and mtcnn-onet.h5; nil finds the ones
    /// shipped beside the emotion model (`ShippedFiles`).
    public var mtcnnDirectory: String?
    /// MTCNN: how far past the picture's edges large faces it cuts are looked for
    /// (`MTCNNOptions.border`). Nil: `MTCNNOptions`'s default on still pictures (`forStills`),
    /// none on video, cameras and streams, whose whole search repeats every few frames (the
    /// framed levels add a fifth to its time) and where a face at the edge comes into view a
    /// moment later.
    public var mtcnnBorder: Double?
    /// Unrelated still pictures (`forStills`), not frames of a sequence.
    public var stills = false
    /// How much the search window grows per scale step (> 1). Smaller finds more, slower.
    public var scaleFactor: Double
    /// How many overlapping raw detections a face needs to count.
    public var minNeighbors: Int
    /// Smallest face side in pixels; 0 lets the cascade decide (its 24 px window).
    public var minFace: Int
    /// Largest face side in pixels; 0 for no limit.
    public var maxFace: Int
    /// Video and camera frames: the whole frame is searched every `detectEvery` frames; the frames
    /// between search only around the faces found recently (`HaarFrameDetector`). 1 searches every
    /// frame whole: exactly full-frame Haar.
    public var detectEvery: Int
    /// The whole-frame search runs on the grey frame shrunk by this factor (>= 1; boxes are mapped
    /// back), so faces smaller than about 24 x `detectScale` pixels are only found near faces
    /// already seen. 1 searches at full resolution.
    public var detectScale: Double

    /// The default whole-frame interval (see `detectEvery`).
    public static let defaultDetectEvery = 4

    public init(scaleFactor: Double = 1.3, minNeighbors: Int = 5, minFace: Int = 0, maxFace: Int = 0,
                detectEvery: Int = DetectorOptions.defaultDetectEvery, detectScale: Double = 1) {
        self.scaleFactor = scaleFactor
        self.minNeighbors = minNeighbors
        self.minFace = minFace
        self.maxFace = maxFace
        self.detectEvery = detectEvery
        self.detectScale = detectScale
    }

    /// Full-frame Haar on every frame, nothing skipped: what `--detect-every 1` asks for.
    public var exact: DetectorOptions {
        var options = self
        options.detectEvery = 1
        options.detectScale = 1
        return options
    }

    public var isExact: Bool { detectEvery <= 1 && detectScale <= 1 }

    /// For unrelated still pictures: each searched whole (`exact`), MTCNN with its border.
    public var forStills: DetectorOptions {
        var options = exact
        options.stills = true
        return options
    }
}
