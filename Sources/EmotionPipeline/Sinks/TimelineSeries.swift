/// One face's probabilities over a run, kept in at most `capacity` points whatever the run's
/// length, for the timeline plot (`TimelineSink`).
///
/// While the face has been seen in fewer than `capacity` frames, there is one point per frame.
/// Past that, neighbouring points are merged pairwise (the average of their probabilities, over
/// the union of their times) and each later point takes twice as many frames: an hour of
/// video costs what a minute does. The plot is about 1100 px wide, so 1024 points lose nothing
/// visible. A point never spans a gap longer than `gapSeconds` (or a skipped image) when it is
/// filled, so the breaks in the plot's lines survive thinning until points get that coarse.
struct TimelineSeries {
    struct Point {
        /// The first and last time, and frame index, of the frames merged into this point.
        var firstTime: Double
        var lastTime: Double
        var firstFrame: Int
        var lastFrame: Int
        var frames: Int
        /// The mean of their probabilities, one per label.
        var probabilities: [Float]

        var time: Double { (firstTime + lastTime) / 2 }
        var frame: Double { Double(firstFrame + lastFrame) / 2 }

        mutating func merge(_ other: Point) {
            let total = Float(frames + other.frames)
            for k in probabilities.indices {
                probabilities[k] = (probabilities[k] * Float(frames) + other.probabilities[k] * Float(other.frames)) / total
            }
            firstTime = min(firstTime, other.firstTime)
            lastTime = max(lastTime, other.lastTime)
            firstFrame = min(firstFrame, other.firstFrame)
            lastFrame = max(lastFrame, other.lastFrame)
            frames += other.frames
        }
    }

    let capacity: Int
    let gapSeconds: Double
    private(set) var points: [Point] = []
    /// Frames each new point may take: 1, then 2, 4... as the series is thinned.
    private(set) var framesPerPoint = 1
    /// Every frame the face was seen in (points merge them; this counts them all).
    private(set) var frameCount = 0

    init(capacity: Int = 1024, gapSeconds: Double = 0.5) {
        precondition(capacity >= 2, "a series needs room for two points to merge")
        self.capacity = capacity
        self.gapSeconds = gapSeconds
        points.reserveCapacity(capacity + 1)
    }

    var firstTime: Double { points.first?.firstTime ?? 0 }
    var lastTime: Double { points.last?.lastTime ?? 0 }

    mutating func append(time: Double, frame: Int, probabilities: [Float]) {
        frameCount += 1
        let point = Point(firstTime: time, lastTime: time, firstFrame: frame, lastFrame: frame, frames: 1,
                          probabilities: probabilities)
        if let last = points.last, last.frames < framesPerPoint, !Self.isGap(from: last, to: point, gapSeconds: gapSeconds) {
            points[points.count - 1].merge(point)
            return
        }
        points.append(point)
        if points.count > capacity { thin() }
    }

    /// Whether the face was out of sight between `a` and `b`: longer than `gapSeconds`, or, for
    /// stills (all at time 0), an image in between.
    static func isGap(from a: Point, to b: Point, gapSeconds: Double) -> Bool {
        b.firstTime - a.lastTime > gapSeconds || (b.firstTime == a.lastTime && b.firstFrame - a.lastFrame > 1)
    }

    /// Merges the points pairwise, in place: half as many, each twice as coarse.
    private mutating func thin() {
        var kept = 0
        var i = 0
        while i < points.count {
            var point = points[i]
            if i + 1 < points.count { point.merge(points[i + 1]) }
            points[kept] = point
            kept += 1
            i += 2
        }
        points.removeLast(points.count - kept)
        framesPerPoint *= 2
    }
}
