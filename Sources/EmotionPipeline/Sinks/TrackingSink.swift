/// The stage between the classifier and the sinks: gives every face its tracker id, smooths
/// its probabilities over time when asked (the label follows the smoothed probabilities), and
/// records which file an image frame came from; then hands the result to each downstream sink.
///
/// Faces from different image files are never matched to each other: every image is a new
/// scene, so its faces get new ids.
public final class TrackingSink: FrameSink {
    public let downstream: [FrameSink]
    public var drawsOnFrames: Bool { downstream.contains { $0.drawsOnFrames } }
    public let labels: [String]
    private var tracker: FaceTracker
    private var smoother: ProbabilitySmoother
    private var begun: [FrameSink] = []

    /// `smoothSeconds` 0: raw per-frame probabilities.
    public init(labels: [String], smoothSeconds: Double, tracker: FaceTracker = FaceTracker(), downstream: [FrameSink]) {
        self.labels = labels
        self.downstream = downstream
        self.tracker = tracker
        smoother = ProbabilitySmoother(seconds: smoothSeconds)
    }

    public func begin(source: SourceInfo) throws {
        for sink in downstream {
            try sink.begin(source: source)
            begun.append(sink)
        }
    }

    /// A sink whose reader has gone (`PipelineError.outputClosed`) ends the run, but only once
    /// the frame has reached the others too: the annotated video keeps the frame in progress.
    public func consume(_ result: FrameResult, frame: Frame) throws -> Bool {
        let tracked = track(result, source: frame.source)
        var goOn = true
        var outputClosed = false
        for sink in begun {
            do {
                if try !sink.consume(tracked, frame: frame) { goOn = false }
            } catch PipelineError.outputClosed {
                outputClosed = true
            }
        }
        if outputClosed { throw PipelineError.outputClosed }
        return goOn
    }

    /// Every downstream sink is finished, in reverse order, even when one fails; the first
    /// failure is rethrown.
    public func finish() throws {
        var failure: Error?
        for sink in begun.reversed() {
            do { try sink.finish() } catch { if failure == nil { failure = error } }
        }
        begun = []
        if let failure { throw failure }
    }

    /// `result` with ids (and smoothed probabilities) and its source file.
    public func track(_ result: FrameResult, source: String?) -> FrameResult {
        var result = result
        result.source = source ?? result.source
        if source != nil {
            // A new image: nothing carries over from the previous one.
            tracker.forgetTracks()
        }
        let ids = tracker.assign(result.faces.map(\.box), time: result.time)
        for i in result.faces.indices {
            let face = result.faces[i]
            let probabilities = smoother.smooth(id: ids[i], time: result.time, probabilities: face.probabilities)
            result.faces[i] = probabilities == face.probabilities
                ? FaceResult(id: ids[i], box: face.box, label: face.label, confidence: face.confidence, probabilities: probabilities)
                : FaceResult(id: ids[i], box: face.box, probabilities: probabilities, labels: labels)
        }
        smoother.keep(only: tracker.liveIDs)
        return result
    }
}
