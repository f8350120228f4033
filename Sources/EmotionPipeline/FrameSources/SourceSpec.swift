import FaceDetection
import FoundationEssentials

/// What the SOURCE argument names: a camera, an image file, a directory of images, a video file
/// or a network stream.
///
/// `scheme://...` (rtsp, http, https, udp, srt, ...: see `StreamURL`) is a network stream, `"0"` (any non-negative integer) is a camera index, `/dev/video*` a camera device, an existing
/// directory a directory of images, a path with
/// an image extension (jpg, jpeg, png, bmp, webp, tif, tiff, pgm, ppm; any case) an image,
/// anything else a video file.
public enum SourceSpec: Equatable, Sendable, CustomStringConvertible {
    case camera(index: Int)
    case cameraDevice(path: String)
    case image(path: String)
    case video(path: String)
    case directory(path: String)
    case stream(url: StreamURL)

    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "bmp", "webp", "tif", "tiff", "pgm", "ppm"]

    public init(parsing text: String) {
        let trimmed = text.trimmingWhitespace()
        if let url = StreamURL(trimmed) {
            self = .stream(url: url)
        } else if let index = Int(trimmed), index >= 0, trimmed.allSatisfy(\.isNumber) {
            self = .camera(index: index)
        } else if trimmed.hasPrefix("/dev/video") {
            self = .cameraDevice(path: trimmed)
        } else if Self.isDirectory(trimmed) {
            self = .directory(path: trimmed)
        } else if Self.imageExtensions.contains(PathText.pathExtension(trimmed).lowercased()) {
            self = .image(path: trimmed)
        } else {
            self = .video(path: trimmed)
        }
    }

    public var isCamera: Bool {
        switch self {
        case .camera, .cameraDevice: return true
        case .image, .video, .directory, .stream: return false
        }
    }

    /// How messages name the source: the path, "camera N", or the URL without credentials.
    public var description: String {
        switch self {
        case let .camera(index): return "camera \(index)"
        case let .cameraDevice(path), let .image(path), let .video(path), let .directory(path): return path
        case let .stream(url): return url.redacted
        }
    }

    private static func isDirectory(_ path: String) -> Bool {
        var isDirectory: Bool = false
        return !path.isEmpty && FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory
    }
}
