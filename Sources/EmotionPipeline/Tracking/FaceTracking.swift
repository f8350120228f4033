/// The stage between the classifier and the sinks: gives every face its tracker id and smooths
/// its probabilities over time when asked (the label follows the smoothed probabilities).
///
/// Faces from different image files are never matched to each other: every image is a new
/// scene (a result with a `source`), so its faces get new ids.
public final class FaceTracking {
    public let labels: [String]
    private var tracker: FaceTracker
    private var smoother: ProbabilitySmoother

    /// `smoothSeconds` 0: raw per-frame probabilities.
    public init(labels: [String], smoothSeconds: Double, tracker: FaceTracker = FaceTracker()) {
        self.labels = labels
        self.tracker = tracker
        smoother = ProbabilitySmoother(seconds: smoothSeconds)
    }

    /// `result` with ids (and smoothed probabilities).
    public func track(_ result: FrameResult) -> FrameResult {
        var result = result
        if result.source != nil {
            // A new image: nothing carries over from the previous one.
            tracker.forgetTracks()
        }
        let ids = tracker.assign(result.faces.map(\.box), time: result.time)
        for i in result.faces.indices {
            let face = result.faces[i]
            let probabilities = smoother.smooth(id: ids[i], time: result.time, probabilities: face.probabilities)
            result.faces[i] = probabilities == face.probabilities
                ? FaceResult(id: ids[i], box: face.box, label: face.label, confidence: face.confidence, probabilities: probabilities,
                             landmarks: face.landmarks)
                : FaceResult(id: ids[i], box: face.box, probabilities: probabilities, labels: labels, landmarks: face.landmarks)
        }
        smoother.keep(only: tracker.liveIDs)
        return result
    }
}
