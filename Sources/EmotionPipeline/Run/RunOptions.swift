/// How the headless sinks print.
public enum OutputFormat: String, CaseIterable, Sendable {
    case text, jsonl
}

/// Everything `emotion-live [SOURCE]` can be asked, with the documented defaults.
public struct RunOptions: Sendable {
    /// Camera index, `/dev/video*`, image or video path (see `SourceSpec`).
    public var source: String
    /// The Keras model file.
    public var modelPath: String
    /// Labels and input scaling; nil resolves them for the model (sidecar, then defaults).
    public var metadata: ModelMetadata?
    /// Haar cascade; nil finds `haarcascade_frontalface_default.xml` from opencv-data.
    public var cascadePath: String?
    /// Stop after this many frames; nil runs to the end of the source.
    public var maxFrames: Int?
    public var detector: DetectorOptions
    public var margins: CropMargins
    /// No window: one line per frame on standard output, as fast as possible.
    public var headless: Bool
    public var format: OutputFormat
    /// Mirror a camera's picture in the window (boxes in the output are never mirrored).
    public var mirror: Bool
    public var camera: CameraRequest
    /// Faces classified per engine call.
    public var maxBatch: Int

    public init(source: String = "0", modelPath: String, metadata: ModelMetadata? = nil,
                cascadePath: String? = nil, maxFrames: Int? = nil, detector: DetectorOptions = DetectorOptions(),
                margins: CropMargins = .default, headless: Bool = false, format: OutputFormat = .text,
                mirror: Bool = true, camera: CameraRequest = CameraRequest(), maxBatch: Int = 16) {
        self.source = source
        self.modelPath = modelPath
        self.metadata = metadata
        self.cascadePath = cascadePath
        self.maxFrames = maxFrames
        self.detector = detector
        self.margins = margins
        self.headless = headless
        self.format = format
        self.mirror = mirror
        self.camera = camera
        self.maxBatch = maxBatch
    }
}
