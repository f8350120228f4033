import FaceDetection

/// A video's own clock against the monotonic wall clock: the one clock a paced run (a window
/// playing a file) goes by. The pipeline asks it which frames are too late to process, the
/// window when each frame is due; both see the same anchor, so they never disagree.
///
/// The first frame asked about anchors the clock (its media time is "now"); a pause or a run
/// far behind re-anchors it.
public final class PlaybackClock {
    private var anchor: (wall: Double, media: Double)?

    public init() {}

    /// Whether a frame at media time `time` is more than `interval` seconds late: the pipeline
    /// skips it (decoded, not processed) so the clip keeps its speed.
    public func isLate(_ time: Double, interval: Double) -> Bool {
        let now = MonotonicClock.now()
        let start = anchor ?? (now, time)
        anchor = start
        return now - (start.wall + (time - start.media)) > interval
    }

    /// When a frame at media time `time` is due, on `MonotonicClock`. More than a second behind
    /// (slow processing, a stopped terminal), the clock starts again from this frame.
    public func due(_ time: Double) -> Double {
        let now = MonotonicClock.now()
        let start = anchor ?? (now, time)
        let due = start.wall + (time - start.media)
        if now - due > 1 {
            anchor = (now, time)
            return now
        }
        anchor = start
        return due
    }

    /// Forgets the anchor: after a pause, playback goes on from the next frame, not from where
    /// it would have been.
    public func restart() { anchor = nil }
}
