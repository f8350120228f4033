import FaceDetection
import OpenCVShim

/// A video file (FFmpeg's libraries, through the shim) or a camera (cv::VideoCapture, V4L2).
final class VideoCapture {
    private let handle: OpaquePointer

    struct Info {
        var width: Int
        var height: Int
        var fps: Double
        var frameCount: Int
        var isCamera: Bool
        /// A URL whose duration FFmpeg does not know or that cannot seek (`StreamOptions`).
        var looksLive: Bool = false
    }

    /// Opens a camera by index or device path, giving up after `timeoutMilliseconds`.
    init(cameraIndex: Int, devicePath: String?, width: Int = 0, height: Int = 0, fps: Double = 0,
         timeoutMilliseconds: Int = 5000) throws {
        var out: OpaquePointer?
        try shimCall {
            cvs_capture_open_camera(Int32(cameraIndex), devicePath, Int32(width), Int32(height), fps,
                                    Int32(timeoutMilliseconds), &out, $0)
        }
        handle = out!
    }

    /// Who decodes a file: the shim's own FFmpeg reader, or cv::VideoCapture (CAP_FFMPEG) as a
    /// plain OpenCV program would (the benchmark's reference). The frames are the same.
    enum Decoder { case ffmpeg, opencv }

    init(filePath: String, decoder: Decoder = .ffmpeg) throws {
        var out: OpaquePointer?
        switch decoder {
        case .ffmpeg: try shimCall { cvs_capture_open_file(filePath, &out, $0) }
        case .opencv: try shimCall { cvs_capture_open_file_with_opencv(filePath, &out, $0) }
        }
        handle = out!
    }

    /// Opens a network URL; messages name `name` (the URL without credentials), never `url`.
    init(url: String, name: String, timeoutMilliseconds: Int, inputFormat: String?, options: [String]) throws {
        var out: OpaquePointer?
        let lines = options.joined(separator: "\n")
        try url.withCString { url in
            try name.withCString { name in
                try lines.withCString { lines in
                    try withOptionalCString(inputFormat) { format in
                        var settings = cvs_stream_options(timeout_ms: Int32(clamping: timeoutMilliseconds),
                                                          input_format: format, options: options.isEmpty ? nil : lines)
                        try shimCall { cvs_capture_open_url(url, name, &settings, &out, $0) }
                    }
                }
            }
        }
        handle = out!
    }

    deinit { cvs_capture_destroy(handle) }

    /// Makes a read blocked on a network stream on another thread return (as the end). Safe from
    /// any thread while the capture lives.
    func interrupt() { cvs_capture_interrupt(handle) }

    /// Frames come grey (one channel) from the next read on; no BGR frame is kept.
    func deliverGrey() { cvs_capture_set_grey(handle, 1) }

    var info: Info {
        var info = cvs_capture_info()
        cvs_capture_get_info(handle, &info)
        return Info(width: Int(info.width), height: Int(info.height), fps: info.fps,
                    frameCount: Int(info.frame_count), isCamera: info.is_camera != 0, looksLive: info.looks_live != 0)
    }

    /// The next frame and its timestamp in milliseconds; nil at the end of the stream. A file
    /// that is truncated or corrupt throws `.corrupt` after its last good frame.
    func read() throws -> (image: Image, milliseconds: Double)? {
        let image = try Image()
        var milliseconds = 0.0
        do {
            try shimCall { cvs_capture_read(handle, image.handle, &milliseconds, $0) }
        } catch let error as OpenCVError where error.kind == .endOfStream {
            return nil
        }
        return (image, milliseconds)
    }
}

private func withOptionalCString<R>(_ text: String?, _ body: (UnsafePointer<CChar>?) throws -> R) rethrows -> R {
    guard let text else { return try body(nil) }
    return try text.withCString { try body($0) }
}
