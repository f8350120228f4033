import FaceDetection
import FoundationEssentials
import Glibc

/// Writes the annotated frames (boxes, labels, ids, probability bars) to a video file at the
/// source's frame rate and size: `.mp4` with the MPEG-4 Part 2 codec (mp4v), `.avi` with
/// Motion JPEG (MJPG), the two that Debian's OpenCV (FFmpeg backend) always has.
///
/// Every decoded frame is in the file: frames the window skipped to keep real time are filled
/// with the previous annotated frame, so the file lasts as long as the source. Images of other
/// sizes (a directory of photos) are scaled to the first one's size; stills are written at one
/// frame per second. The file appears under its name only on `commit()` (`OutputFile`).
public final class VideoFileSink: FileWritingSink {
    public var drawsOnFrames: Bool { true }
    public let file: OutputFile
    public let labels: [String]
    private var writer: VideoWriter?
    private var size = (width: 0, height: 0)
    private var previous: (index: Int, image: Image)?
    private var opened = false
    public private(set) var framesWritten = 0

    /// The codec for a file name's extension; nil for names that are neither .mp4 nor .avi.
    public static func fourcc(for path: String) -> String? {
        switch PathText.pathExtension(path).lowercased() {
        case "mp4", "m4v", "mov": return "mp4v"
        case "avi": return "MJPG"
        default: return nil
        }
    }

    /// Checks the path (extension, writable directory) before the run starts.
    /// Draw the detector's landmarks (`--landmarks`).
    private let landmarks: Bool

    public init(path: String, labels: [String], landmarks: Bool = false) throws {
        self.landmarks = landmarks
        guard Self.fourcc(for: path) != nil else {
            throw PipelineError.outputFileFailed(path: path, reason: "the extension must be .mp4 or .avi")
        }
        file = try OutputFile(path: path)
        self.labels = labels
    }

    public func begin(source: SourceInfo) throws {
        size = (source.width, source.height)
        let fps = source.fps > 0 ? source.fps : (source.kind == .image ? 1 : 30)
        do {
            writer = try VideoWriter(path: file.temporaryPath, fourcc: Self.fourcc(for: file.path) ?? "mp4v", fps: fps,
                                     width: source.width, height: source.height)
            opened = true
        } catch let error as OpenCVError {
            throw PipelineError.outputFileFailed(path: file.path, reason: error.message)
        }
    }

    public func consume(_ result: FrameResult, frame: Frame) throws -> Bool {
        guard let writer else { return true }
        do {
            var image = try frame.image.bgr()
            try Annotator(labels: labels, landmarks: landmarks).annotate(image, with: result)
            if image.width != size.width || image.height != size.height {
                image = try image.resized(width: size.width, height: size.height, area: image.width > size.width)
            }
            if let previous, frame.index > previous.index + 1 {
                for _ in (previous.index + 1)..<frame.index { try writer.write(previous.image); framesWritten += 1 }
            }
            try writer.write(image)
            framesWritten += 1
            previous = (frame.index, image)
        } catch let error as OpenCVError {
            throw PipelineError.outputFileFailed(path: file.path, reason: "frame \(frame.index): \(error.message)")
        }
        return true
    }

    public func finish() throws {
        writer?.close()
        writer = nil
        previous = nil
    }

    public func commit() throws {
        try finish()
        if opened { try file.commit() }
    }

    public func discard() {
        writer?.close()
        writer = nil
        file.discard()
    }
}
