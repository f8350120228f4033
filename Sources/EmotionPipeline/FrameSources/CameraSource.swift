import FaceDetection
import FoundationEssentials
import Glibc

/// What to ask of a camera; 0 leaves the driver's default.
public struct CameraRequest: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var fps: Double
    /// How long opening, and waiting for the first frame, may take before giving up.
    public var timeout: Double

    public init(width: Int = 0, height: Int = 0, fps: Double = 0, timeout: Double = 5) {
        self.width = width
        self.height = height
        self.fps = fps
        self.timeout = timeout
    }
}

/// A live V4L2 camera. A background thread grabs continuously and keeps only the newest frame,
/// so a slow pipeline skips frames instead of falling behind. Frames are delivered as the camera
/// sees them (not mirrored): mirroring is the window's business.
public final class CameraSource: FrameSource {
    public let info: SourceInfo
    private let reader: BackgroundReader<DecodedFrame>
    private let timeout: Double
    private var delivered = 0
    private var firstMilliseconds: Double?
    private var closed = false

    public convenience init(index: Int, request: CameraRequest = CameraRequest()) throws {
        try self.init(name: "camera \(index)", index: index, devicePath: nil, request: request)
    }

    public convenience init(devicePath: String, request: CameraRequest = CameraRequest()) throws {
        try self.init(name: devicePath, index: 0, devicePath: devicePath, request: request)
    }

    private init(name: String, index: Int, devicePath: String?, request: CameraRequest) throws {
        let capture: VideoCapture
        do {
            capture = try VideoCapture(cameraIndex: index, devicePath: devicePath, width: request.width,
                                       height: request.height, fps: request.fps,
                                       timeoutMilliseconds: Int(request.timeout * 1000))
        } catch let error as OpenCVError {
            throw PipelineError.cameraUnavailable(camera: name, reason: Self.reason(error.message, name: name))
        }
        let captureInfo = capture.info
        info = SourceInfo(kind: .camera, name: name, width: captureInfo.width, height: captureInfo.height,
                          fps: captureInfo.fps, frameCount: nil)
        timeout = request.timeout
        // A camera has no end: a failed grab is retried briefly (a USB hiccup), then reported.
        reader = BackgroundReader(policy: .latestOnly) {
            for attempt in 1...10 {
                if let item = try capture.read() { return item }
                if attempt < 10 { sleepThread(seconds: 0.1) }
            }
            throw OpenCVError(kind: .endOfStream, message: "stopped delivering frames")
        }
        reader.start()
    }

    deinit { close() }

    /// Frames the pipeline was too slow to take (replaced by newer ones).
    public var droppedFrames: Int { reader.droppedCount }

    public func nextFrame() throws -> Frame? {
        guard !closed else { return nil }
        let item: DecodedFrame?
        do {
            // The first frame may take a while (exposure, negotiation); later ones come at the
            // camera's rate, so a long silence means the camera stopped.
            item = try reader.next(timeout: timeout)
        } catch is ReaderTimeout {
            throw delivered == 0
                ? PipelineError.cameraUnavailable(camera: info.name, reason: "no frame within \(Int(timeout)) s")
                : PipelineError.cameraFailed(camera: info.name, reason: "no frame for \(Int(timeout)) s after \(delivered) frames")
        } catch let error as OpenCVError {
            throw PipelineError.cameraFailed(camera: info.name, reason: "\(error.message) after \(delivered) frames")
        }
        guard let item else { return nil }
        let first = firstMilliseconds ?? item.milliseconds
        firstMilliseconds = first
        defer { delivered += 1 }
        return Frame(index: delivered, time: max(0, item.milliseconds - first) / 1000, image: item.image)
    }

    public func close() {
        guard !closed else { return }
        closed = true
        reader.stop()
    }

    /// The shim's message starts with the camera's name; the error adds it again.
    private static func reason(_ message: String, name: String) -> String {
        message.hasPrefix(name + ": ") ? String(message.dropFirst(name.count + 2)) : message
    }
}
