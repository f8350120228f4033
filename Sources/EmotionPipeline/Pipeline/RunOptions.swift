import FaceDetection

/// Everything `emotion-live [SOURCE]` can be asked, with the documented defaults.
public struct RunOptions: Sendable {
    /// Camera index, `/dev/video*`, image or video path, or network URL (see `SourceSpec`).
    /// The model is not an option: the caller loads the classifier the run uses.
    public var source: String
    /// Haar cascade; nil finds `haarcascade_frontalface_default.xml` from opencv-data.
    public var cascadePath: String?
    /// Stop after this many frames; nil runs to the end of the source.
    public var maxFrames: Int?
    public var detector: DetectorOptions
    public var margins: CropMargins
    /// No window: one line per frame on standard output, as fast as possible.
    public var headless: Bool
    /// How the headless sinks print: text, jsonl or csv (`OutputFormat.frameFormats`).
    public var format: OutputFormat
    /// Mirror a camera's picture in the window (boxes in the output are never mirrored).
    public var mirror: Bool
    public var camera: CameraRequest
    /// How a network source is opened and kept (live or file, reconnection, timeouts).
    public var stream: StreamOptions
    /// Time constant, in seconds, of the average of each face's probabilities (`--smooth`);
    /// 0 turns smoothing off; nil: `defaultSmoothSeconds` for the mode.
    public var smoothSeconds: Double?
    /// Report each face's share of time per emotion at the end (`--summary`).
    public var summary: Bool
    /// Annotated video to write (`--output`, .mp4 or .avi).
    public var outputPath: String?
    /// Timeline plot to write (`--timeline`, .png).
    public var timelinePath: String?
    /// Turn each face with landmarks so its eyes are level before classifying it (`--no-align` off).
    public var align: Bool = true
    /// CSV output gains the landmarks' ten columns (`--csv-landmarks`).
    public var csvLandmarks: Bool = false
    /// Draw each face's landmarks in the window and `--output` (`--landmarks`).
    public var drawLandmarks: Bool = false
    /// Headless results go to this file instead of standard output, renamed into place only
    /// after a complete run (`--results`, `ResultsFile`).
    public var resultsPath: String?
    /// Show a progress line on standard error (only honoured when it is a terminal and the
    /// source is a file or a directory).
    public var progress: Bool

    /// Smoothing when none is asked for: on in a window (labels a viewer can read), off
    /// headless (raw per-frame data).
    public static func defaultSmoothSeconds(headless: Bool) -> Double { headless ? 0 : 0.5 }

    /// The smoothing this run uses.
    public var effectiveSmoothSeconds: Double { smoothSeconds ?? Self.defaultSmoothSeconds(headless: headless) }

    public init(source: String = "0", cascadePath: String? = nil, maxFrames: Int? = nil, detector: DetectorOptions = DetectorOptions(),
                margins: CropMargins = .default, headless: Bool = false, format: OutputFormat = .text,
                mirror: Bool = true, camera: CameraRequest = CameraRequest(), stream: StreamOptions = StreamOptions(),
                smoothSeconds: Double? = nil, summary: Bool = false, outputPath: String? = nil,
                timelinePath: String? = nil, resultsPath: String? = nil, progress: Bool = true) {
        self.source = source
        self.cascadePath = cascadePath
        self.maxFrames = maxFrames
        self.detector = detector
        self.margins = margins
        self.headless = headless
        self.format = format
        self.mirror = mirror
        self.camera = camera
        self.stream = stream
        self.smoothSeconds = smoothSeconds
        self.summary = summary
        self.outputPath = outputPath
        self.timelinePath = timelinePath
        self.resultsPath = resultsPath
        self.progress = progress
    }
}
