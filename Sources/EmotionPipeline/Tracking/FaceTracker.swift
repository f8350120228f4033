import FaceDetection

/// Gives each detected face an id that stays with the same person from frame to frame.
///
/// Each frame's boxes are matched to the tracks of earlier frames greedily, best pair first:
/// a pair's score is its intersection over union, or, for boxes that do not overlap enough
/// (a fast move, a detector that jitters), how close their centres are relative to the face's
/// size. A box left unmatched starts a new track with a new id; a track is forgotten once it
/// has been missing for more than `maxMissingSeconds` and more than `maxMissingFrames` frames,
/// so a face hidden for a moment (or missed by the detector) keeps its id. Ids count up from 1
/// and are never reused in a run.
public struct FaceTracker: Sendable {
    /// Pairs overlapping at least this much match outright.
    public var minimumOverlap: Double
    /// Otherwise, centres at most this many face widths apart still match.
    public var maximumCentreDistance: Double
    public var maxMissingSeconds: Double
    public var maxMissingFrames: Int

    struct Track: Sendable {
        var id: Int
        var box: FaceBox
        var lastTime: Double
        var missedFrames: Int
    }

    private(set) var tracks: [Track] = []
    private var nextID = 1

    public init(minimumOverlap: Double = 0.2, maximumCentreDistance: Double = 0.6,
                maxMissingSeconds: Double = 1.5, maxMissingFrames: Int = 3) {
        self.minimumOverlap = minimumOverlap
        self.maximumCentreDistance = maximumCentreDistance
        self.maxMissingSeconds = maxMissingSeconds
        self.maxMissingFrames = maxMissingFrames
    }

    /// The ids of `boxes` (one per box, in order), seen at `time` seconds.
    public mutating func assign(_ boxes: [FaceBox], time: Double) -> [Int] {
        var pairs: [(score: Double, track: Int, box: Int)] = []
        for (t, track) in tracks.enumerated() {
            for (b, box) in boxes.enumerated() {
                if let score = Self.score(track.box, box, minimumOverlap: minimumOverlap,
                                          maximumCentreDistance: maximumCentreDistance) {
                    pairs.append((score, t, b))
                }
            }
        }
        pairs.sort { $0.score > $1.score }
        var ids = [Int?](repeating: nil, count: boxes.count)
        var trackTaken = [Bool](repeating: false, count: tracks.count)
        for pair in pairs where !trackTaken[pair.track] && ids[pair.box] == nil {
            trackTaken[pair.track] = true
            ids[pair.box] = tracks[pair.track].id
            tracks[pair.track].box = boxes[pair.box]
            tracks[pair.track].lastTime = time
            tracks[pair.track].missedFrames = 0
        }
        for t in tracks.indices where !trackTaken[t] { tracks[t].missedFrames += 1 }
        tracks.removeAll {
            $0.missedFrames > maxMissingFrames && time - $0.lastTime > maxMissingSeconds
        }
        for b in boxes.indices where ids[b] == nil {
            ids[b] = nextID
            tracks.append(Track(id: nextID, box: boxes[b], lastTime: time, missedFrames: 0))
            nextID += 1
        }
        return ids.map { $0! }
    }

    /// Ends every track (a new scene); ids already given are still never reused.
    public mutating func forgetTracks() {
        tracks = []
    }

    /// Ids of the tracks still alive (seen recently enough to be matched again).
    public var liveIDs: Set<Int> { Set(tracks.map(\.id)) }

    /// How well `box` continues `previous`: above 1 for an overlap of at least `minimumOverlap`
    /// (1 + IoU), in (0, 1] for close centres, nil for no match.
    static func score(_ previous: FaceBox, _ box: FaceBox, minimumOverlap: Double,
                      maximumCentreDistance: Double) -> Double? {
        let overlap = intersectionOverUnion(previous, box)
        if overlap >= minimumOverlap { return 1 + overlap }
        let dx = Double(previous.x * 2 + previous.width - box.x * 2 - box.width) / 2
        let dy = Double(previous.y * 2 + previous.height - box.y * 2 - box.height) / 2
        let size = Double(max(previous.width, previous.height, box.width, box.height, 1))
        let distance = (dx * dx + dy * dy).squareRoot() / size
        // Very different sizes are different faces, however close (a face behind another).
        let ratio = Double(min(previous.width, box.width)) / Double(max(previous.width, box.width, 1))
        guard distance <= maximumCentreDistance, ratio >= 0.5 else { return nil }
        return 1 - distance / (maximumCentreDistance * 1.0001)
    }

    static func intersectionOverUnion(_ a: FaceBox, _ b: FaceBox) -> Double {
        let width = min(a.x + a.width, b.x + b.width) - max(a.x, b.x)
        let height = min(a.y + a.height, b.y + b.height) - max(a.y, b.y)
        guard width > 0, height > 0 else { return 0 }
        let intersection = Double(width * height)
        return intersection / (Double(a.width * a.height + b.width * b.height) - intersection)
    }
}
