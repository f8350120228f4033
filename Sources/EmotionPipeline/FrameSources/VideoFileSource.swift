import FaceDetection
import FoundationEssentials
import Glibc

/// Frames of a video file, in order, every one of them, decoded a few frames ahead on a
/// background thread. Times come from the container (each frame's own timestamp).
///
/// A file that is truncated or holds data that does not decode still gives every frame that
/// decodes; then the source ends, `problem` says what was wrong (naming the file and the frame
/// it came after) and `warn` receives the same line. Only a file of which nothing can be read
/// throws.
public final class VideoFileSource: FrameSource {
    public let info: SourceInfo
    /// Why the source ended before the end of its file, once it has; nil for a sound file.
    public private(set) var problem: String?
    private let reader: BackgroundReader<DecodedFrame>
    private let warn: (String) -> Void
    private var delivered = 0
    private var lastMilliseconds = -1.0
    private var closed = false

    /// How many decoded frames wait for the pipeline: `readAhead`, fewer when they would
    /// take more than `readAheadBytes` (`bytesPerPixel`: 3 for BGR, 1 for grey), at least one.
    /// Decoding is many times faster than the pipeline, so one frame waiting is as fast as three
    /// once frames are large. BGR: three up to 640x360, two at 854x480 (2.5 MB), one from
    /// 1280x720 on. Grey: three up to 1280x720, one at 1920x1080 (2.1 MB; three were 4.5 MB
    /// more at the peak).
    public static func readAheadFrames(width: Int, height: Int, bytesPerPixel: Int = 3, readAhead: Int = 3,
                                       readAheadBytes: Int = 3 << 20) -> Int {
        let frameBytes = max(1, width * height * bytesPerPixel)
        return max(1, min(readAhead, readAheadBytes / frameBytes))
    }

    /// `grey`: deliver one-channel frames (for a run that draws nothing); the BGR frame each is
    /// converted from is not kept, which at 1080p saves 6.2 MB per frame in flight.
    public convenience init(path: String, grey: Bool = false, readAhead: Int = 3, readAheadBytes: Int = 3 << 20,
                            warn: @escaping (String) -> Void = { _ in }) throws {
        // A device, a FIFO or an empty file is named as such, not as missing (the shim opens
        // regular files only), and a FIFO is never opened to wait for a writer.
        try SourceFile.check(path)
        let capture: VideoCapture
        do {
            capture = try VideoCapture(filePath: path)
        } catch let error as OpenCVError {
            throw PipelineError.sourceUnreadable(path: path, reason: Self.reason(error.message, path: path))
        }
        try self.init(capture: capture, name: path, grey: grey, readAhead: readAhead, readAheadBytes: readAheadBytes, warn: warn)
    }

    /// A video already opened: a local file, or a remote one (`name` is then the URL without
    /// credentials), read the same way.
    init(capture: VideoCapture, name path: String, grey: Bool = false, readAhead: Int = 3, readAheadBytes: Int = 3 << 20,
         warn: @escaping (String) -> Void = { _ in }) throws {
        let captureInfo = capture.info
        guard captureInfo.width > 0, captureInfo.height > 0 else {
            throw PipelineError.sourceUnreadable(path: path, reason: "no video stream")
        }
        info = SourceInfo(kind: .video, name: path, width: captureInfo.width, height: captureInfo.height,
                          fps: captureInfo.fps > 0 && captureInfo.fps < 1000 ? captureInfo.fps : 0,
                          frameCount: captureInfo.frameCount > 0 ? captureInfo.frameCount : nil)
        self.warn = warn
        if grey { capture.deliverGrey() }
        let capacity = Self.readAheadFrames(width: captureInfo.width, height: captureInfo.height, bytesPerPixel: grey ? 1 : 3,
                                            readAhead: readAhead, readAheadBytes: readAheadBytes)
        reader = BackgroundReader(policy: .queue(capacity: capacity)) { try capture.read() }
        reader.start()
    }

    deinit { close() }

    public func nextFrame() throws -> Frame? {
        guard !closed else { return nil }
        let item: DecodedFrame?
        do {
            item = try reader.next()
        } catch let error as OpenCVError {
            // Frames were read: they were good, and the run keeps them; the problem is reported.
            // Nothing was read: the file is unreadable.
            let reason = Self.reason(error.message, path: info.name)
            guard delivered > 0 else { throw PipelineError.sourceUnreadable(path: info.name, reason: reason) }
            let line = error.kind == .corrupt ? "\(info.name): \(reason)"
                                              : "\(info.name): cannot read past frame \(delivered - 1): \(reason)"
            problem = line
            warn(line)
            close()
            return nil
        }
        guard let item else { return nil }
        defer { delivered += 1 }
        // A time that does not advance (a file without timestamps on some frames) is replaced by
        // the previous one plus a frame interval.
        var milliseconds = item.milliseconds
        if delivered > 0 && !(milliseconds > lastMilliseconds) {
            milliseconds = lastMilliseconds + 1000 / (info.fps > 0 ? info.fps : 30)
        }
        lastMilliseconds = milliseconds
        return Frame(index: delivered, time: max(0, milliseconds) / 1000, image: item.image)
    }

    public func close() {
        guard !closed else { return }
        closed = true
        reader.stop()
    }

    /// The shim's message without the path it starts with (the error names the file itself).
    static func reason(_ message: String, path: String) -> String {
        message.hasPrefix(path + ": ") ? String(message.dropFirst(path.count + 2)) : message
    }
}
