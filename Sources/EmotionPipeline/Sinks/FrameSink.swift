/// Receives each frame with its results, in order: the last stage of the pipeline.
public protocol FrameSink: AnyObject {
    /// Called once before the first frame.
    func begin(source: SourceInfo) throws
    /// Handles one frame; returns false to end the run (the user quit).
    func consume(_ result: FrameResult, frame: Frame) throws -> Bool
    /// Called once after the last frame (also when the run stops early).
    func finish() throws
    /// Whether this sink uses the frames' pictures (draws on them, shows or writes them). When
    /// no sink does, the pipeline lets each picture go once its faces are cropped, and sinks
    /// receive frames with an empty image.
    var drawsOnFrames: Bool { get }
}

extension FrameSink {
    public func begin(source: SourceInfo) throws {}
    public func finish() throws {}
    public var drawsOnFrames: Bool { false }
}
