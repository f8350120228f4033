import Foundation

/// Shows each frame in an OpenCV window with every face boxed and labelled.
///
/// Pacing follows the source: a video file plays at its own speed, each frame shown when its
/// timestamp comes due (variable frame rates included; the wait is spent handling keys), a
/// camera as fast as frames come, an image stays
/// until a key is pressed or the window is closed. `q` or Esc ends the run, as does closing the
/// window. A mirrored view flips the picture and the boxes for display only.
public final class WindowSink: FrameSink {
    public let title: String
    /// Mirror live cameras (as a mirror would); files are never mirrored.
    public let mirrorCamera: Bool
    private var window: Window?
    private var source: SourceInfo?
    /// Wall-clock time and media time of the first video frame shown.
    private var clock: (wall: Double, media: Double)?
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

        if source.kind == .video {
            // Wait (handling keys, the previous frame still on screen) until this frame is due.
            let now = Self.now()
            let start = clock ?? (now, frame.time)
            var due = start.wall + (frame.time - start.media)
            if now - due > 1 {
                // Far behind (slow processing, a paused terminal): restart the clock here.
                clock = (now, frame.time)
                due = now
            } else {
                clock = start
            }
            while !quit {
                let wait = Int(((due - Self.now()) * 1000).rounded())
                if wait < 1 { break }
                handle(try Window.waitKey(milliseconds: wait))
            }
        }
        guard !quit else { return false }
        try window.show(shown)

        switch source.kind {
        case .image:
            while !quit {
                if try Window.waitKey(milliseconds: 100) != nil || window.isClosed { quit = true }
            }
        case .camera, .video:
            handle(try Window.waitKey(milliseconds: 1))
        }
        if !quit && window.isClosed { quit = true }
        return !quit
    }

    public func finish() throws {
        // The last frame of a video stays up for its own interval, like every other frame.
        if let window, let source, source.kind == .video, !quit, !window.isClosed {
            let interval = source.fps > 0 ? 1 / source.fps : 1.0 / 30
            _ = try? Window.waitKey(milliseconds: max(1, Int((interval * 1000).rounded())))
        }
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
