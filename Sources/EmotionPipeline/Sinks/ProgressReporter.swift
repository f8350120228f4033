import FoundationEssentials
import Glibc

/// A progress line on standard error, rewritten in place a few times a second:
///
///     frame 120/464 (26%)  41.7 fps  8 s left
///
/// Only for files (a video or a directory of images, whose length is known) and only when
/// standard error is a terminal (`applies(to:terminal:)`): never in pipes or logs, never on
/// standard output. The line is cleared at the end.
public final class ProgressReporter: FrameSink {
    private var total: Int?
    private var start = Date()
    private var lastDrawn: Date?
    private var done = 0
    private let write: (String) -> Void
    /// The run stops after this many frames (`--max-frames`), if it does.
    private let limit: Int?

    public init(limit: Int? = nil, write: @escaping (String) -> Void = { text in fputs(text, stderr); fflush(stderr) }) {
        self.limit = limit
        self.write = write
    }

    /// True for a video file or image directory when standard error is a terminal.
    public static func applies(to source: SourceInfo, terminal: Bool) -> Bool {
        terminal && (source.kind == .video || (source.kind == .image && (source.frameCount ?? 0) > 1))
    }

    public func begin(source: SourceInfo) throws {
        total = source.frameCount.map { total in limit.map { min($0, total) } ?? total } ?? limit
        start = Date()
    }

    public func consume(_ result: FrameResult, frame: Frame) throws -> Bool {
        done = frame.index + 1
        let now = Date()
        if lastDrawn.map({ now.timeIntervalSince($0) >= 0.25 }) ?? true {
            lastDrawn = now
            write("\r\u{1B}[K" + Self.line(done: done, total: total, seconds: now.timeIntervalSince(start)))
        }
        return true
    }

    public func finish() throws {
        if lastDrawn != nil { write("\r\u{1B}[K") }
    }

    /// The text of the line, without the carriage return.
    public static func line(done: Int, total: Int?, seconds: Double) -> String {
        let fps = seconds > 0 ? Double(done) / seconds : 0
        var text = "frame \(done)"
        if let total, total > 0 {
            text += "/\(total) (\(min(100, done * 100 / total))%)"
        }
        text += "  \(NumberFormat.fixed(fps, 1)) fps"
        if let total, total > done, fps > 0 {
            let left = Int((Double(total - done) / fps).rounded())
            text += "  " + (left >= 60 ? "\(left / 60) min \(left % 60) s left" : "\(left) s left")
        }
        return text
    }
}
