import FoundationEssentials

/// Finds faces frame after frame, faster than full-frame Haar on every frame.
///
/// Every `detectEvery` frames the whole frame is searched (shrunk by `detectScale`, for faces of
/// at least `wholeFrameMinFace`); on the frames
/// between, only regions around faces seen in the last `memory` frames are searched, at full
/// resolution, with the same cascade parameters, so a face found there is the box full-frame
/// Haar would report (give or take its neighbours' averaging). With `detectEvery` 1 and
/// `detectScale` 1 every frame is exactly `HaarDetector.detect(in:)`.
///
/// What it can miss between whole-frame searches: a face that appears, or moves further than
/// `margin` of its size, since the last search; it is found at the next one.
public final class HaarFrameDetector {
    public let detector: HaarDetector
    /// Each side of a remembered face's box is widened by this fraction of its size.
    public let margin: Double
    /// Frames a face is still searched for after it was last found.
    public let memory: Int
    /// Searches around known faces: scale step, neighbours, and the range of face sizes
    /// (1/sizeRange to sizeRange times the known face's).
    public let regionScaleFactor: Double
    public let regionMinNeighbors: Int
    public let sizeRange: Double
    private var frame = 0
    private var recent: [(box: FaceBox, seen: Int)] = []

    public init(detector: HaarDetector, margin: Double = 0.35, memory: Int? = nil, regionScaleFactor: Double = 1.1,
                regionMinNeighbors: Int = 3, sizeRange: Double = 1.4) {
        self.detector = detector
        self.margin = margin
        self.memory = memory ?? max(25, 5 * detector.options.detectEvery)
        self.regionScaleFactor = regionScaleFactor
        self.regionMinNeighbors = regionMinNeighbors
        self.sizeRange = sizeRange
    }

    public var options: DetectorOptions { detector.options }

    /// Forgets the faces seen so far: the next frame is searched whole.
    public func reset() {
        frame = 0
        recent = []
    }

    /// The faces of the next frame of the sequence (`grey`: its grey image).
    public func detect(in grey: Image) throws -> [FaceBox] {
        let options = detector.options
        if options.isExact { return try detector.detect(in: grey) }
        defer { frame += 1 }
        let every = max(1, options.detectEvery)
        var boxes: [FaceBox]
        if frame % every == 0 {
            // The whole-frame search keeps boxes with fewer neighbours too (the regions' setting):
            // those are not reported, only remembered, so the next frames look around them.
            // Haar finds many faces only now and then, and not always on these frames.
            let all = try detector.detectCounting(
                in: grey, region: nil, shrink: max(1, options.detectScale),
                minNeighbors: min(options.minNeighbors, regionMinNeighbors),
                minFace: Self.wholeFrameMinFace(options: options, frameHeight: grey.height))
            boxes = all.filter { $0.neighbors > options.minNeighbors }.map(\.box)
            let candidates = all.filter { $0.neighbors <= options.minNeighbors }.map(\.box)
            // Known faces the whole-frame search missed this time (Haar flickers; faces too small
            // for a shrunk search) are still looked for around where they were.
            let missing = recent.map(\.box).filter { old in !boxes.contains { $0.intersectionOverUnion(old) >= 0.3 } }
            boxes += try search(around: missing, in: grey, excluding: boxes)
            remember(candidates, keepOld: true)
        } else {
            boxes = try search(around: recent.map(\.box), in: grey, excluding: [])
        }
        remember(boxes)
        return boxes
    }

    /// The smallest face the whole-frame search looks for: `minFace` when set, otherwise 32 px
    /// or 1/24 of the frame's height, whichever is larger (45 px in 1080p). Haar's cost is mostly
    /// in its smallest windows (24 px, then 31, 41... at scale 1.3), and a face smaller than that
    /// reaches the 48x48 or 64x64 classifier enlarged from a blur. The pyramid levels searched
    /// are the same as full-frame Haar's; only the smallest are skipped.
    public static func wholeFrameMinFace(options: DetectorOptions, frameHeight: Int) -> Int {
        options.minFace > 0 ? options.minFace : max(32, frameHeight / 24)
    }

    /// Full-resolution searches of the region around each of `faces`; boxes overlapping one in
    /// `excluding` (IoU >= 0.5) or each other are kept once.
    ///
    /// Full-frame Haar at scale 1.3 and 5 neighbours is on the edge for many faces: it finds a
    /// face in one frame and not the next, and a search of a region lines its windows up
    /// differently from a whole-frame one. So a region is searched more finely (`regionScaleFactor`,
    /// `regionMinNeighbors`) but only for faces from 1/`sizeRange` to `sizeRange` times the size
    /// of the faces it was cut around, which keeps it cheap.
    private func search(around faces: [FaceBox], in grey: Image, excluding: [FaceBox]) throws -> [FaceBox] {
        let options = detector.options
        var found: [FaceBox] = []
        // Each face on its own (regions of neighbouring faces overlap and are searched twice):
        // a merged region spanning faces of different sizes would cost up to a whole-frame search.
        for face in faces {
            guard let region = Self.regions(around: [face], margin: margin, width: grey.width, height: grey.height).first
            else { continue }
            let size = max(face.width, face.height)
            var minFace = max(options.minFace, Int(Double(size) / sizeRange))
            var maxFace = Int((Double(size) * sizeRange).rounded(.up))
            if options.maxFace > 0 { maxFace = min(maxFace, options.maxFace) }
            minFace = min(minFace, maxFace)
            let boxes = try detector.detect(in: grey, region: region, shrink: 1,
                                            scaleFactor: min(options.scaleFactor, regionScaleFactor),
                                            minNeighbors: min(options.minNeighbors, regionMinNeighbors),
                                            minFace: minFace, maxFace: maxFace)
            // The box overlapping the face most; boxes near no known face are left to the next
            // whole-frame search.
            let best = boxes.map { (box: $0, iou: face.intersectionOverUnion($0)) }.filter { $0.iou >= 0.2 }
                .max { $0.iou < $1.iou }
            if let box = best?.box, !(excluding + found).contains(where: { $0.intersectionOverUnion(box) >= 0.5 }) {
                found.append(box)
            }
        }
        return found
    }

    private func remember(_ boxes: [FaceBox], keepOld: Bool = false) {
        for box in boxes {
            if keepOld, recent.contains(where: { $0.box.intersectionOverUnion(box) >= 0.3 }) { continue }
            if let i = recent.firstIndex(where: { $0.box.intersectionOverUnion(box) >= 0.3 }) {
                recent[i] = (box, frame)
            } else {
                recent.append((box, frame))
            }
        }
        recent.removeAll { frame - $0.seen > memory }
        // Two remembered faces that have drifted onto each other are one.
        var kept: [(box: FaceBox, seen: Int)] = []
        for entry in recent.sorted(by: { $0.seen > $1.seen })
        where !kept.contains(where: { $0.box.intersectionOverUnion(entry.box) >= 0.5 }) {
            kept.append(entry)
        }
        recent = kept
    }

    /// Each face's box widened by `margin` of its size on every side, clamped to the image;
    /// overlapping regions merged into their bounding box until none overlap.
    public static func regions(around faces: [FaceBox], margin: Double, width: Int, height: Int) -> [FaceBox] {
        var regions = faces.map { face -> FaceBox in
            let dx = Int((Double(face.width) * margin).rounded(.up)), dy = Int((Double(face.height) * margin).rounded(.up))
            return FaceBox(x: face.x - dx, y: face.y - dy, width: face.width + 2 * dx, height: face.height + 2 * dy)
                .clamped(toWidth: width, height: height)
        }.filter { !$0.isEmpty }
        var merged = true
        while merged {
            merged = false
            outer: for i in regions.indices {
                for j in regions.indices where j > i && regions[i].overlaps(regions[j]) {
                    regions[i] = regions[i].union(regions[j])
                    regions.remove(at: j)
                    merged = true
                    break outer
                }
            }
        }
        return regions
    }
}

extension HaarFrameDetector: FaceFinder {
    public var needsColour: Bool { false }

    public func faces(in picture: Image) throws -> [DetectedFace] {
        try detect(in: try picture.grey()).map { DetectedFace(box: $0) }
    }
}

extension FaceBox {
    func overlaps(_ other: FaceBox) -> Bool {
        x < other.x + other.width && other.x < x + width && y < other.y + other.height && other.y < y + height
    }

    func union(_ other: FaceBox) -> FaceBox {
        let left = min(x, other.x), top = min(y, other.y)
        let right = max(x + width, other.x + other.width), bottom = max(y + height, other.y + other.height)
        return FaceBox(x: left, y: top, width: right - left, height: bottom - top)
    }
}
