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
    public enum Kind: Equatable, Sendable { case camera, video, image }

    public var kind: Kind
    /// The path, or "camera N", for messages.
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
/// the line saying why a video file ended early (truncated or corrupt). A source whose frames
/// are larger than `FrameSizeLimit` is closed again and refused.
public func openSource(_ spec: SourceSpec, cameraRequest: CameraRequest = CameraRequest(), grey: Bool = false,
                       warn: @escaping (String) -> Void = { _ in }) throws -> FrameSource {
    let source: FrameSource
    switch spec {
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
