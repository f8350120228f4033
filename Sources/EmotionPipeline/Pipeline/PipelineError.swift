import FaceDetection

/// Everything that can stop a run, each naming the file, device or stage it concerns (a face
/// detector's files: `DetectorError`).
/// `description` is one line, ready for stderr.
public enum PipelineError: Error, CustomStringConvertible, Equatable {
    /// A source file that does not exist.
    case sourceNotFound(path: String)
    /// A source that exists but cannot be decoded as an image or a video.
    case sourceUnreadable(path: String, reason: String)
    /// A source whose frames are larger than `FrameSizeLimit` allows.
    case frameTooLarge(path: String, width: Int, height: Int, maxPixels: Int)
    /// A network stream that cannot be opened: refused, no answer within the timeout, no video.
    case streamUnavailable(url: String, reason: String)
    /// A live stream that stayed unreachable for longer than `--reconnect-for`.
    case streamLost(url: String, seconds: Double, reason: String)
    /// A camera that cannot be opened (or not within the time limit).
    case cameraUnavailable(camera: String, reason: String)
    /// A camera that stopped delivering frames during the run.
    case cameraFailed(camera: String, reason: String)
    /// A model file that is missing or cannot be loaded.
    case modelUnreadable(path: String, reason: String)
    /// A model whose shape does not fit this pipeline (input channels, label count).
    case modelIncompatible(path: String, reason: String)
    /// An OpenCV operation failed while processing a frame.
    case frameFailed(frame: Int, stage: String, reason: String)
    /// The window could not be created (no display...).
    case windowUnavailable(reason: String)
    /// Results could not be written (a full disk, an I/O error).
    case outputFailed(reason: String)
    /// Standard output's reader went away (EPIPE: `| head` has read what it wanted). Not a
    /// failure: the pipeline ends the run early and the command exits quietly.
    case outputClosed
    /// An output file (`--output`, `--timeline`) that cannot be written: checked before the
    /// first frame, or failing while it is written.
    case outputFileFailed(path: String, reason: String)

    /// A failure after which the frames done are whole and worth keeping: output files are
    /// finalized and the summary printed before the error is reported.
    public var endsAWholeRun: Bool {
        if case .streamLost = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case let .sourceNotFound(path): return "\(path): no such file"
        case let .sourceUnreadable(path, reason): return "\(path): cannot read source: \(reason)"
        case let .frameTooLarge(path, width, height, maxPixels):
            let side = Int(Double(maxPixels).squareRoot())
            return "\(path): frames of \(width)x\(height) are larger than the limit of \(maxPixels / 1_000_000) megapixels (\(side)x\(side))"
        case let .streamUnavailable(url, reason): return "\(url): cannot open stream: \(reason)"
        case let .streamLost(url, seconds, reason):
            return "\(url): stream lost: no connection for \(NumberFormat.decimal(seconds, decimals: 1)) s (\(reason))"
        case let .cameraUnavailable(camera, reason): return "\(camera): cannot open camera: \(reason)"
        case let .cameraFailed(camera, reason): return "\(camera): \(reason)"
        case let .modelUnreadable(path, reason): return "\(path): cannot load model: \(reason)"
        case let .modelIncompatible(path, reason): return "\(path): unsuitable model: \(reason)"
        case let .frameFailed(frame, stage, reason): return "frame \(frame): \(stage) failed: \(reason)"
        case let .windowUnavailable(reason): return "cannot open a window: \(reason) (try --headless)"
        case let .outputFailed(reason): return "cannot write results: \(reason)"
        case .outputClosed: return "standard output was closed"
        case let .outputFileFailed(path, reason): return "\(path): cannot write: \(reason)"
        }
    }
}
