import FaceDetection
import OpenCVShim

/// Writes BGR frames to a video file (cv::VideoWriter); `close()` (or deinit) finalizes it.
public final class VideoWriter {
    private var handle: OpaquePointer?
    public let path: String

    /// `fourcc`: four characters naming the codec, e.g. "mp4v" for .mp4, "MJPG" for .avi.
    public init(path: String, fourcc: String = "mp4v", fps: Double, width: Int, height: Int) throws {
        var out: OpaquePointer?
        try shimCall { cvs_writer_open(path, fourcc, fps, Int32(width), Int32(height), &out, $0) }
        handle = out
        self.path = path
    }

    deinit { close() }

    public func write(_ image: Image) throws {
        guard let handle else { return }
        try shimCall { cvs_writer_write(handle, image.handle, $0) }
    }

    public func close() {
        if let handle { cvs_writer_destroy(handle) }
        handle = nil
    }
}
