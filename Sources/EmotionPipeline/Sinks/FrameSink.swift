/// Receives each frame with its results, in order: the last stage of the pipeline.
public protocol FrameSink: AnyObject {
    /// Called once before the first frame.
    func begin(source: SourceInfo) throws
    /// Handles one frame; returns false to end the run (the user quit).
    func consume(_ result: FrameResult, frame: Frame) throws -> Bool
    /// Called once after the last frame (also when the run stops early or fails).
    func finish() throws
    /// Called once after every sink has finished, with how the run ended: the one place for
    /// what happens only at the very end (a file renamed into place, the summary printed).
    func complete(_ outcome: RunOutcome) throws
    /// Whether this sink uses the frames' pictures (draws on them, shows or writes them). When
    /// no sink does, the pipeline lets each picture go once its faces are cropped, and sinks
    /// receive frames with an empty image.
    var drawsOnFrames: Bool { get }
}

extension FrameSink {
    public func begin(source: SourceInfo) throws {}
    public func finish() throws {}
    public func complete(_ outcome: RunOutcome) throws {}
    public var drawsOnFrames: Bool { false }
}

/// How a run ended, as the sinks' completion hook (`FrameSink.complete`) is told.
public enum RunOutcome: Equatable, Sendable {
    /// No error: the source ended, a sink quit, `maxFrames` was reached, or a stop was asked.
    case finished
    /// An error ended the run. `keepsFrames`: the frames done are whole and worth keeping (a
    /// live stream lost for longer than `--reconnect-for`); otherwise nothing is left behind.
    case failed(keepsFrames: Bool)

    /// Whether the run's outputs are kept (files renamed into place, the summary printed).
    public var keepsFrames: Bool {
        switch self {
        case .finished: return true
        case let .failed(keeps): return keeps
        }
    }
}
