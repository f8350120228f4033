/// YuNet's settings (`--yunet-threshold`; the rest as OpenCV's FaceDetectorYN sets them).
public struct YuNetOptions: Sendable, Equatable {
    /// The default score threshold, chosen on the shared photos and clips (docs/detectors.md).
    public static let defaultScoreThreshold = 0.6
    /// The default working size (`maxSide`), chosen by measurement (docs/detectors.md).
    public static let defaultMaxSide = 640

    /// Faces scoring less are dropped before suppression (0 < threshold < 1).
    public var scoreThreshold: Double
    /// Suppression's overlap (IoU above which the weaker of two faces goes).
    public var nmsThreshold: Double
    /// Pictures whose longer side is larger are shrunk to this side before the network (boxes
    /// and landmarks mapped back); 0 searches every picture at its own size.
    public var maxSide: Int

    public init(scoreThreshold: Double = YuNetOptions.defaultScoreThreshold, nmsThreshold: Double = YuNetSuppression.defaultThreshold,
                maxSide: Int = YuNetOptions.defaultMaxSide) {
        self.scoreThreshold = scoreThreshold
        self.nmsThreshold = nmsThreshold
        self.maxSide = maxSide
    }
}

/// Where YuNet's time went, summed over its searches (for `bench --video`): a few clock reads
/// per search, nothing per pixel.
public struct YuNetTiming: Equatable, Sendable {
    public var searches = 0
    /// Shrinking pictures to the working size (`YuNetOptions.maxSide`).
    public var shrinkSeconds = 0.0
    /// Bytes to floats with padding, and the network's pass.
    public var networkSeconds = 0.0
    /// Decoding the cells and suppressing overlaps.
    public var decodeSeconds = 0.0

    public init() {}

    public var totalSeconds: Double { shrinkSeconds + networkSeconds + decodeSeconds }
}

/// YuNet-n (Wu, Peng, Yu 2023; Apache-2.0): one network pass over the picture, padded to
/// multiples of 32, then decoding and non-maximum suppression as OpenCV's FaceDetectorYN does;
/// faces with five landmarks. The network is the engine's (`YuNetNetwork`, `models/yunet-n.h5`).
/// Not thread-safe: one detector per thread.
public final class YuNetDetector {
    public let options: YuNetOptions
    private let network: YuNetNetwork
    /// Time per stage so far.
    public internal(set) var timing = YuNetTiming()

    /// Loads and checks the network file (errors name it).
    public init(model path: String, options: YuNetOptions = YuNetOptions()) throws {
        self.options = options
        network = try YuNetNetwork(path: path)
    }

    /// The faces in a picture of `width` x `height` (grey or BGR, `channels` bytes per pixel,
    /// rows `rowStride` bytes apart; 0: packed), in its pixels, best first. Searched at its own
    /// size (the frame detector shrinks large frames first).
    public func detect(pixels: UnsafePointer<UInt8>, width: Int, height: Int, channels: Int, rowStride: Int = 0) throws -> [YuNetFace] {
        guard width > 0, height > 0 else { return [] }
        var clock = MonotonicClock.now()
        func lap() -> Double {
            let now = MonotonicClock.now()
            defer { clock = now }
            return now - clock
        }
        timing.searches += 1
        let threshold = options.scoreThreshold
        let candidates = try network.run(pixels: pixels, width: width, height: height, channels: channels,
                                         rowStride: rowStride > 0 ? rowStride : width * channels) { rows, size in
            timing.networkSeconds += lap()
            return YuNetDecoder.decode(rows, width: size.width, height: size.height, threshold: threshold)
        }
        let faces = YuNetSuppression.suppress(candidates, threshold: options.nmsThreshold)
        timing.decodeSeconds += lap()
        return faces
    }

    /// The faces in `image` (grey or BGR) at its own size, best first.
    public func detect(in image: Image) throws -> [YuNetFace] {
        let (width, height, channels) = (image.width, image.height, image.channels)
        return try image.withUnsafePixels { base, stride in
            guard let base else { return [] }
            return try detect(pixels: base, width: width, height: height, channels: channels, rowStride: stride)
        }
    }

    /// Counts time spent shrinking pictures (by the frame detector).
    func addShrinkTime(_ seconds: Double) { timing.shrinkSeconds += seconds }
}
