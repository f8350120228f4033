/// YuNet frame after frame: every frame is searched whole. One pass of the network costs less
/// than Haar's whole-frame search, so there is no cadence of whole searches and following
/// between them (`HaarFrameDetector`, `MTCNNFrameDetector`), and no state: ids and smoothing come
/// from tracking, downstream.
///
/// Frames whose longer side is over `maxSide` are shrunk to it (`useArea`) before the
/// network, and boxes and landmarks mapped back; `detectScale` shrinks every frame at least that
/// much, and no frame is searched at more than `maxPixels`. Boxes are reported in Haar's framing (`haarFraming`, clamped to the frame as Haar's
/// boxes are), landmarks as YuNet finds them (so faces are aligned as MTCNN's are); faces whose
/// reported side is under `minFace` or over `maxFace` (when not 0) are dropped.
public final class YuNetFrameDetector: FaceFinder {
    public let detector: YuNetDetector
    public let maxSide: Int
    public let detectScale: Double
    public let minFace: Int
    public let maxFace: Int

    public init(detector: YuNetDetector, maxSide: Int? = nil, detectScale: Double = 1, minFace: Int = 0, maxFace: Int = 0) {
        self.detector = detector
        self.maxSide = maxSide ?? detector.options.maxSide
        self.detectScale = max(1, detectScale)
        self.minFace = minFace
        self.maxFace = maxFace
    }

    public var needsColour: Bool { true }

    public func reset() {}

    /// Most pixels of the network's (padded) input: the engine refuses a plan whose activations
    /// exceed 2^26 floats, and YuNet-n's are 58 floats a pixel (1920 x 1088 is refused).
    public static let maxPixels = 1 << 20

    /// The working size of a `width` x `height` frame: shrunk so the longer side is at most
    /// `maxSide`, and by `detectScale`, and further until its padded size has at most
    /// `maxPixels`; never enlarged.
    public func workingSize(width: Int, height: Int) -> (width: Int, height: Int) {
        let side = max(width, height)
        var shrink = max(detectScale, maxSide > 0 && side > maxSide ? Double(side) / Double(maxSide) : 1)
        func size(_ shrink: Double) -> (width: Int, height: Int) {
            shrink > 1 ? (max(1, Int((Double(width) / shrink).rounded())), max(1, Int((Double(height) / shrink).rounded())))
                : (width, height)
        }
        while true {
            let working = size(shrink), padded = YuNetNetwork.padded(width: working.width, height: working.height)
            if padded.width * padded.height <= Self.maxPixels { return working }
            shrink = max(shrink, 1) * 1.02
        }
    }

    public func faces(in picture: Image) throws -> [DetectedFace] {
        let (width, height) = (picture.width, picture.height)
        guard width > 0, height > 0 else { return [] }
        let working = workingSize(width: width, height: height)
        var found: [YuNetFace]
        if working == (width, height) {
            found = try detector.detect(in: picture)
        } else {
            let start = MonotonicClock.now()
            let shrunk = try picture.resized(width: working.width, height: working.height, area: Self.useArea(from: width, to: working.width))
            detector.addShrinkTime(MonotonicClock.now() - start)
            let (fx, fy) = (Double(width) / Double(working.width), Double(height) / Double(working.height))
            found = try detector.detect(in: shrunk).map { $0.scaled(x: fx, y: fy) }
        }
        let faces = found.compactMap { face -> DetectedFace? in
            let framed = Self.haarFraming(face)
            guard framed.width >= minFace, maxFace <= 0 || framed.width <= maxFace else { return nil }
            return DetectedFace(box: framed.clamped(toWidth: width, height: height), landmarks: face.landmarks)
        }.filter { !$0.box.isEmpty }
        // Top to bottom, then left to right, as the Haar detector orders its boxes: ids are
        // given in this order.
        return faces.sorted { ($0.box.y, $0.box.x) < ($1.box.y, $1.box.x) }
    }

    /// Whether a shrink from `width` to `target` columns averages areas (INTER_AREA) rather than
    /// interpolating (INTER_LINEAR): from a factor of 2, where interpolation would skip pixels.
    /// Below it, interpolation finds the same faces (dinner_table at 640: 849 faces against 853)
    /// in a fifth of the time (0.6-1.1 ms against 4.5-5.6 ms per 854 x 480 frame, 2026-12-07).
    static func useArea(from width: Int, to target: Int) -> Bool {
        width >= 2 * target
    }

    /// YuNet's box as the square Haar would report for the same face (`HaarFraming`): Haar's side
    /// is 0.91 of YuNet's box height, on the same centre. Measured on the faces both find in four
    /// clips (1,542 pairs, full-frame Haar against YuNet, centres within a quarter of the height):
    /// median ratio 0.912 (per clip 0.87-0.97), centres 0.4% of the height apart (median).
    static func haarFraming(_ face: YuNetFace) -> FaceBox {
        HaarFraming.square(x: face.x, y: face.y, width: face.width, height: face.height, sideRatio: sideRatio)
    }

    /// Haar's side over YuNet's box height.
    static let sideRatio = 0.91
}
