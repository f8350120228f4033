/// MTCNN frame after frame: the whole three-stage search every `detectEvery` frames, and on the
/// frames between, O-Net alone on a window around each face of the previous frame (one small
/// network pass per face instead of a pyramid of P-Net passes), as `HaarFrameDetector` follows
/// faces with Haar; a face O-Net loses is searched for again at once in a window around it
/// (`MTCNNDetector.refind`). A face that appears between two whole searches is found at the next,
/// or at once after a cut (`SceneCut`); a known face the whole search misses is followed on until
/// the next whole search.
/// Boxes are reported in Haar's framing (`haarFraming`, clamped to the frame as Haar's boxes
/// are), landmarks as MTCNN finds them.
///
/// Frames whose longer side is over `maxSide` are searched on a shrunk copy (boxes and landmarks
/// mapped back): P-Net's first level on a 4K frame would need more memory than the engine gives
/// one pass, and faces small in a 4K frame are still 20 pixels in the copy at 1920.
public final class MTCNNFrameDetector: FaceFinder {
    public let detector: MTCNNDetector
    public let detectEvery: Int
    public let maxSide: Int
    /// Frames since the last whole search (or since the start or the last cut).
    private var sinceSearch = 0
    private var sceneCut = SceneCut()
    private var known: [FaceBox] = []
    /// Faces lost since the last whole search, looked for again on each frame until it.
    private var missing: [(box: FaceBox, carried: Bool)] = []
    /// For each of `known`: followed through the last whole search, which missed it.
    private var carried: [Bool] = []

    public init(detector: MTCNNDetector, detectEvery: Int = 1, maxSide: Int = 1920) {
        self.detector = detector
        self.detectEvery = max(1, detectEvery)
        self.maxSide = maxSide
    }

    public var needsColour: Bool { true }

    public func reset() {
        sinceSearch = 0
        sceneCut.reset()
        known = []
        missing = []
        carried = []
    }

    public func faces(in picture: Image) throws -> [DetectedFace] {
        defer { sinceSearch += 1 }
        let side = max(picture.width, picture.height)
        let shrink = side > maxSide ? Double(side) / Double(maxSide) : 1
        let searched = shrink > 1
            ? try picture.resized(width: max(1, Int(Double(picture.width) / shrink)), height: max(1, Int(Double(picture.height) / shrink)))
            : picture
        let pixels = searched.bytes
        // A cut starts the cadence again: the faces of the new shot are searched for at once.
        let cut = detectEvery > 1 && pixels.withUnsafeBufferPointer {
            sceneCut.isCut(pixels: $0, width: searched.width, height: searched.height, channels: searched.channels)
        }
        if cut {
            sinceSearch = 0
            known = []  // the faces of the last shot are not in this one
            carried = []
        }
        let whole = sinceSearch % detectEvery == 0
        let scaledKnown = known.map { scale($0, by: 1 / shrink) }
        let (found, flags) = try pixels.withUnsafeBufferPointer { buffer -> ([MTCNNFace], [Bool]) in
            let (width, height, channels) = (searched.width, searched.height, searched.channels)
            if whole {
                missing = []
                let detected = try detector.detect(pixels: buffer, width: width, height: height, channels: channels)
                // A face of the last frame the whole search misses (turned, half hidden by hair or
                // a hand: P-Net and R-Net judge it worse than O-Net on its own window) is followed
                // on, once: one the next whole search misses too is dropped, so a false face the
                // search found once cannot live on through following alone.
                let wanted = zip(scaledKnown, carried).filter { box, wasCarried in
                    !wasCarried && !detected.contains { $0.box.intersectionOverUnion(box) >= 0.3 }
                }.map(\.0)
                let followed = detector.follow(wanted, pixels: buffer, width: width, height: height, channels: channels)
                    .filter { face in !detected.contains { $0.box.intersectionOverUnion(face.box) >= 0.3 } }
                return (detected + followed, detected.map { _ in false } + followed.map { _ in true })
            }
            var faces = detector.follow(scaledKnown, pixels: buffer, width: width, height: height, channels: channels)
            var flags = faces.map { Self.inherited(by: $0.box, from: scaledKnown, flags: carried) }
            // A face following lost is searched for again in a window around it (`refind`), on
            // every frame until the next whole search.
            let lost = zip(scaledKnown, carried).filter { box, _ in
                !faces.contains { $0.box.intersectionOverUnion(box) >= 0.3 }
            }
            var stillMissing: [(box: FaceBox, carried: Bool)] = []
            for (box, wasCarried) in lost + missing.map({ (scale($0.box, by: 1 / shrink), $0.carried) }) {
                if faces.contains(where: { $0.box.intersectionOverUnion(box) >= 0.3 }) { continue }
                if let face = detector.refind(box, pixels: buffer, width: width, height: height, channels: channels),
                   !faces.contains(where: { $0.box.intersectionOverUnion(face.box) >= 0.3 }) {
                    faces.append(face)
                    flags.append(wasCarried)
                } else {
                    stillMissing.append((scale(box, by: shrink), wasCarried))
                }
            }
            missing = stillMissing
            return (faces, flags)
        }
        let boxes = found.map { scale($0.box, by: shrink) }
        known = boxes
        carried = flags
        let faces = zip(found, boxes).map { face, box in
            DetectedFace(box: Self.haarFraming(box).clamped(toWidth: picture.width, height: picture.height), landmarks: face.landmarks.map { FacePoint(x: $0.x * shrink, y: $0.y * shrink) })
        }
        // Top to bottom, then left to right, as the Haar detector orders its boxes: ids are
        // given in this order.
        return faces.sorted { ($0.box.y, $0.box.x) < ($1.box.y, $1.box.x) }
    }

    /// MTCNN's box (brow to chin, about 0.77 as wide as high) as the square Haar would report
    /// for the same face: the framing the classifier's crop margins are set for (FER-2013's, on
    /// Haar boxes) and that boxes, tracking and drawing keep with either detector. Measured on
    /// the faces both find in three clips (1,544 pairs): Haar's side is 0.89-0.97 (median 0.94)
    /// of MTCNN's height, on the same centre within 5% of it.
    static func haarFraming(_ box: FaceBox) -> FaceBox {
        HaarFraming.square(x: Double(box.x), y: Double(box.y), width: Double(box.width), height: Double(box.height), sideRatio: 0.94)
    }

    /// The flag of the known box a followed face overlaps most.
    private static func inherited(by box: FaceBox, from known: [FaceBox], flags: [Bool]) -> Bool {
        let best = known.indices.max { known[$0].intersectionOverUnion(box) < known[$1].intersectionOverUnion(box) }
        return best.map { flags[$0] } ?? false
    }

    private func scale(_ box: FaceBox, by factor: Double) -> FaceBox {
        guard factor != 1 else { return box }
        return FaceBox(x: Int((Double(box.x) * factor).rounded()), y: Int((Double(box.y) * factor).rounded()),
                       width: Int((Double(box.width) * factor).rounded()), height: Int((Double(box.height) * factor).rounded()))
    }
}
