import Foundation

/// Frames of a video file, in order, every one of them, decoded a few frames ahead on a
/// background thread. Times come from the container (CAP_PROP_POS_MSEC).
///
/// The frames decoded ahead are bounded by bytes as well as by count (`readAheadBytes`), so a
/// 4K or 8K file holds no more memory waiting than a few HD frames would.
public final class VideoFileSource: FrameSource {
    /// The most the frames decoded ahead may hold (BGR bytes): three 4K frames (75 MB) fit,
    /// an 8K frame (100 MB) is decoded one at a time.
    public static let readAheadBytes = 128 << 20

    /// The frames to decode ahead for frames of `width` x `height`: `readAhead`, or fewer when
    /// they would hold more than `readAheadBytes`, and at least one (the decoding still overlaps
    /// the pipeline).
    public static func readAheadFrames(width: Int, height: Int, readAhead: Int) -> Int {
        max(1, min(readAhead, readAheadBytes / max(1, width * height * 3)))
    }

    public let info: SourceInfo
    private let reader: BackgroundReader
    private var delivered = 0
    private var lastMilliseconds = -1.0
    private var closed = false

    public init(path: String, readAhead: Int = 3) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw PipelineError.sourceNotFound(path: path) }
        let capture: VideoCapture
        do {
            capture = try VideoCapture(filePath: path)
        } catch let error as OpenCVError {
            throw PipelineError.sourceUnreadable(path: path, reason: error.kind == .notFound ? "not a video" : error.message)
        }
        let captureInfo = capture.info
        guard captureInfo.width > 0, captureInfo.height > 0 else {
            throw PipelineError.sourceUnreadable(path: path, reason: "no video stream")
        }
        info = SourceInfo(kind: .video, name: path, width: captureInfo.width, height: captureInfo.height,
                          fps: captureInfo.fps > 0 && captureInfo.fps < 1000 ? captureInfo.fps : 0,
                          frameCount: captureInfo.frameCount > 0 ? captureInfo.frameCount : nil)
        let capacity = Self.readAheadFrames(width: captureInfo.width, height: captureInfo.height, readAhead: readAhead)
        reader = BackgroundReader(policy: .queue(capacity: capacity)) { try capture.read() }
        reader.start()
    }

    deinit { close() }

    public func nextFrame() throws -> Frame? {
        guard !closed else { return nil }
        let item: BackgroundReader.Item?
        do {
            item = try reader.next()
        } catch let error as OpenCVError {
            throw PipelineError.sourceUnreadable(path: info.name, reason: "after frame \(delivered): \(error.message)")
        }
        guard let item else { return nil }
        defer { delivered += 1 }
        // FFmpeg reports 0 for the frames it drains from the decoder at the end of some files:
        // a time that does not advance is replaced by the previous one plus a frame interval.
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
}
