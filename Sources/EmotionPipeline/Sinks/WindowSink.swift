import Foundation

/// Shows each frame in an OpenCV window with every face boxed and labelled.
///
/// Pacing follows the source: a video file plays at its own frame rate (the remainder of each
/// frame interval is spent waiting for keys), a camera as fast as frames come, an image stays
/// until a key is pressed or the window is closed. `q` or Esc ends the run, as does closing the
/// window. A mirrored view flips the picture and the boxes for display only.
public final class WindowSink: FrameSink {
    public let title: String
    /// Mirror live cameras (as a mirror would); files are never mirrored.
    public let mirrorCamera: Bool
    private var window: Window?
    private var source: SourceInfo?
    private var nextDeadline: Double?
    private var quit = false

    public init(title: String = "emotion-live", mirrorCamera: Bool = true) {
        self.title = title
        self.mirrorCamera = mirrorCamera
    }

    public func begin(source: SourceInfo) throws {
        self.source = source
        // The window opens at the picture's size, shrunk to fit a common screen; it is resizable.
        let fit = min(1, 1280 / Double(max(1, source.width)), 800 / Double(max(1, source.height)))
        do {
            window = try Window(title: title, width: Int(Double(source.width) * fit), height: Int(Double(source.height) * fit))
        } catch {
            throw PipelineError.windowUnavailable(reason: String(describing: error))
        }
    }

    public func consume(_ result: FrameResult, frame: Frame) throws -> Bool {
        guard let window, let source else { return false }
        let mirrored = mirrorCamera && source.kind == .camera
        let shown = try frame.image.copy()
        if mirrored { try shown.flipHorizontally() }
        try Annotator(mirrored: mirrored).annotate(shown, with: result)
        try window.show(shown)

        switch source.kind {
        case .image:
            while !quit {
                if try Window.waitKey(milliseconds: 100) != nil || window.isClosed { quit = true }
            }
        case .camera:
            handle(try Window.waitKey(milliseconds: 1))
        case .video:
            let interval = source.fps > 0 ? 1 / source.fps : 1.0 / 30
            let now = Self.now()
            // Behind schedule (slow processing): restart the clock instead of rushing.
            let deadline = nextDeadline.map { $0 > now ? $0 : now } ?? now + interval
            let wait = max(1, Int(((deadline - now) * 1000).rounded()))
            handle(try Window.waitKey(milliseconds: wait))
            nextDeadline = deadline + interval
        }
        if !quit && window.isClosed { quit = true }
        return !quit
    }

    public func finish() throws {
        window = nil
    }

    private func handle(_ key: Int32?) {
        guard let key else { return }
        let code = key & 0xFF
        if code == 27 || code == Int32(UInt8(ascii: "q")) || code == Int32(UInt8(ascii: "Q")) { quit = true }
    }

    private static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
