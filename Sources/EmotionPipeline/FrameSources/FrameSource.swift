import FaceDetection

/// One decoded frame: BGR pixels, its position in the run and its time in the source.
public struct Frame {
    /// 0 for the first frame delivered in a run (a live camera's dropped frames are not counted).
    public var index: Int
    /// Seconds from the source's own timestamps (the container's for files, the driver's for
    /// cameras, counted from the first frame); 0 for an image.
    public var time: Double
    public var image: Image
    /// The image file this frame was read from (image sources only).
    public var source: String?

    public init(index: Int, time: Double, image: Image, source: String? = nil) {
        self.index = index
        self.time = time
        self.image = image
        self.source = source
    }
}

/// What a source is, for the stages that behave differently (pacing, mirroring, waiting).
public struct SourceInfo: Equatable, Sendable {
    /// `stream`: a live network stream, which behaves as a camera (newest frame, no pacing)
    /// but is never mirrored. A remote file is a `video`.
    public enum Kind: Equatable, Sendable {
        case camera, video, image, stream

        /// A source that runs on its own clock: the pipeline takes its newest frame.
        public var isLive: Bool { self == .camera || self == .stream }
    }

    public var kind: Kind
    /// The path, "camera N", or a URL without its credentials, for messages and outputs.
    public var name: String
    public var width: Int
    public var height: Int
    /// Frames per second as the source declares it; 0 when unknown.
    public var fps: Double
    /// Frames in the file as its container declares it; nil when unknown (cameras, some files).
    public var frameCount: Int?

    public init(kind: Kind, name: String, width: Int, height: Int, fps: Double, frameCount: Int?) {
        self.kind = kind
        self.name = name
        self.width = width
        self.height = height
        self.fps = fps
        self.frameCount = frameCount
    }
}

/// Delivers frames, in order, until the source ends. Live sources deliver the newest frame, never
/// a backlog. Sources are used from one thread at a time.
public protocol FrameSource: AnyObject {
    var info: SourceInfo { get }
    /// The next frame; nil at the end of the source.
    func nextFrame() throws -> Frame?
    /// Stops any background reading and releases the device or file. Idempotent.
    func close()
}

/// Opens the source a spec names. With `grey`, a video file delivers one-channel frames (for a
/// run that draws nothing; other sources give what they read, converted when detected).
/// `warn` receives one line per entry of an image directory that is skipped (unreadable), and
/// the line saying why a video file ended early (truncated or corrupt), and a live stream's
/// outages. A source whose frames are larger than `FrameSizeLimit` is closed again and refused.
/// `stop` ends a live stream's wait for a reconnection.
public func openSource(_ spec: SourceSpec, cameraRequest: CameraRequest = CameraRequest(), grey: Bool = false,
                       stream: StreamOptions = StreamOptions(), stop: StopRequest? = nil,
                       warn: @escaping (String) -> Void = { _ in }) throws -> FrameSource {
    let source: FrameSource
    switch spec {
    case let .stream(url): source = try openStream(url, options: stream, grey: grey, stop: stop, warn: warn)
    case let .camera(index): source = try CameraSource(index: index, request: cameraRequest)
    case let .cameraDevice(path): source = try CameraSource(devicePath: path, request: cameraRequest)
    case let .image(path): source = try ImageSource(path: path)
    case let .video(path): source = try VideoFileSource(path: path, grey: grey, warn: warn)
    case let .directory(path): source = try ImageDirectorySource(path: path, warn: warn)
    }
    do {
        try FrameSizeLimit.check(source.info)
    } catch {
        source.close()
        throw error
    }
    return source
}

/// Connects to a network URL, then reads it as a live stream or as a remote file
/// (`StreamOptions` says which and why). Every message is scrubbed of the URL's credentials.
func openStream(_ url: StreamURL, options: StreamOptions, grey: Bool, stop: StopRequest?,
                warn: @escaping (String) -> Void) throws -> FrameSource {
    let scrubbed: (String) -> Void = { warn(url.scrub($0)) }
    let capture: VideoCapture
    do {
        capture = try VideoCapture(url: url.text, name: url.redacted, timeoutMilliseconds: Int(options.timeout * 1000),
                                   inputFormat: options.inputFormat, options: options.inputOptions)
    } catch let error as OpenCVError {
        throw PipelineError.streamUnavailable(url: url.redacted, reason: url.scrub(VideoFileSource.reason(error.message, path: url.redacted)))
    }
    let info = capture.info
    guard info.width > 0, info.height > 0 else {
        throw PipelineError.streamUnavailable(url: url.redacted, reason: "no video stream")
    }
    if options.live ?? (url.hasLiveScheme || info.looksLive) {
        return LiveStreamSource(url: url, capture: capture, options: options, grey: grey, warn: scrubbed, stop: stop)
    }
    return try VideoFileSource(capture: capture, name: url.redacted, grey: grey, warn: scrubbed)
}
