import FaceDetection
import FoundationEssentials
import Glibc

/// Shows each frame in an OpenCV window with every face boxed and labelled.
///
/// Pacing follows the source: a video file plays at its own speed, each frame shown when the
/// run's `PlaybackClock` says it is due (variable frame rates included; the wait is spent
/// handling keys), a live source as fast as frames come, an image stays
/// until a key is pressed or the window is closed. `q` or Esc ends the run, as does closing the
/// window; space pauses and resumes; `s` saves the picture shown as
/// `emotion-live-YYYYMMDD-HHMMSS-mmm.png` in the working directory (the path on stderr). A
/// mirrored view flips the picture and the boxes for display only. Each face has probability
/// bars beside its box; the frame rate the pipeline achieves is shown in the corner.
public final class WindowSink: FrameSink {
    public var drawsOnFrames: Bool { true }
    public let title: String
    /// Mirror live cameras (as a mirror would); files are never mirrored.
    public let mirrorCamera: Bool
    /// The model's labels, for the probability bars (empty: none).
    public let labels: [String]
    /// Where snapshots go.
    public let snapshotDirectory: String
    private let report: (String) -> Void
    /// A signal's request to stop: the waits below (an image shown until a key, a pause) end
    /// on it too, since no key will come.
    private let stop: StopRequest?
    private var shownImage: Image?
    /// Frames per second over the last second or so (an exponential average of the intervals).
    private var frameRate: Double?
    private var lastFrameWall: Double?
    private var paused = false
    private var window: Window?
    private var source: SourceInfo?
    /// The run's clock, which the pipeline also skips late frames by; nil shows frames at once.
    private let playback: PlaybackClock?
    private var quit = false
    /// Draw the detector's landmarks (`--landmarks`).
    private let landmarks: Bool

    public init(title: String = "emotion-live", mirrorCamera: Bool = true, labels: [String] = [],
                snapshotDirectory: String = FileManager.default.currentDirectoryPath,
                report: @escaping (String) -> Void = { line in fputs(line + "\n", stderr) },
                stop: StopRequest? = nil, playback: PlaybackClock? = nil, landmarks: Bool = false) {
        self.landmarks = landmarks
        self.stop = stop
        self.playback = playback
        self.title = title
        self.mirrorCamera = mirrorCamera
        self.labels = labels
        self.snapshotDirectory = snapshotDirectory
        self.report = report
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
        try Annotator(mirrored: mirrored, labels: labels, landmarks: landmarks).annotate(shown, with: result)
        let wall = MonotonicClock.now()
        if let last = lastFrameWall, wall > last {
            let rate = 1 / (wall - last)
            frameRate = frameRate.map { $0 + 0.1 * (rate - $0) } ?? rate
        }
        lastFrameWall = wall
        if let frameRate, source.kind != .image { try drawFrameRate(frameRate, on: shown) }
        shownImage = shown

        if source.kind == .video, let playback {
            // Wait (handling keys, the previous frame still on screen) until this frame is due.
            let due = playback.due(frame.time)
            while !quit {
                let wait = Int(((due - MonotonicClock.now()) * 1000).rounded())
                if wait < 1 { break }
                handle(try Window.waitKey(milliseconds: wait))
            }
        }
        guard !quit else { return false }
        try window.show(shown)

        switch source.kind {
        case .image:
            while !quit && !stopRequested {
                if try Window.waitKey(milliseconds: 100) != nil || window.isClosed { quit = true }
            }
        case .camera, .video, .stream:
            handle(try Window.waitKey(milliseconds: 1))
            if paused {
                while paused && !quit && !stopRequested {
                    handle(try Window.waitKey(milliseconds: 100))
                    if window.isClosed { quit = true }
                }
                // Back from a pause: the clip goes on from here, not from where it would be.
                playback?.restart()
                lastFrameWall = nil
            }
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

    private var stopRequested: Bool { stop?.isRequested ?? false }

    private func handle(_ key: Int32?) {
        guard let key else { return }
        let code = key & 0xFF
        if code == 27 || code == Int32(UInt8(ascii: "q")) || code == Int32(UInt8(ascii: "Q")) { quit = true }
        if code == Int32(UInt8(ascii: " ")) { paused.toggle() }
        if code == Int32(UInt8(ascii: "s")) || code == Int32(UInt8(ascii: "S")) { saveSnapshot() }
    }

    /// Writes the picture on screen (with its annotations) to a timestamped PNG.
    private func saveSnapshot() {
        guard let shownImage else { return }
        let path = PathText.join(snapshotDirectory, Self.snapshotName(at: Date()))
        do {
            try shownImage.write(to: path)
            report("saved snapshot \(path)")
        } catch {
            report("\(path): cannot save snapshot: \(error)")
        }
    }

    /// `emotion-live-20260125-021530-123.png` (local time, milliseconds so quick presses differ).
    static func snapshotName(at date: Date) -> String {
        let since1970 = date.timeIntervalSince1970
        var seconds = time_t(since1970.rounded(.down))
        let milliseconds = min(999, Int((since1970 - since1970.rounded(.down)) * 1000))
        var local = tm()
        localtime_r(&seconds, &local)
        var text = [CChar](repeating: 0, count: 32)
        let count = strftime(&text, text.count, "%Y%m%d-%H%M%S", &local)
        let stamp = String(decoding: text.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let ms = String(milliseconds)
        return "emotion-live-\(stamp)-\(String(repeating: "0", count: 3 - ms.count) + ms).png"
    }

    private func drawFrameRate(_ rate: Double, on image: Image) throws {
        let text = "\(NumberFormat.fixed(rate, 1)) fps\(paused ? " (paused)" : "")"
        let scale = min(0.8, max(0.45, Double(image.width) / 1400))
        let size = try Image.textSize(text, fontScale: scale, thickness: 1)
        try image.fillRectangle(FaceBox(x: 0, y: 0, width: size.width + 10, height: size.height + size.baseline + 10), colour: .black)
        try image.drawText(text, x: 5, y: 5 + size.height, fontScale: scale, colour: .white, thickness: 1)
    }
}
