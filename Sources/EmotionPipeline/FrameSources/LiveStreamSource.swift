import FaceDetection
import FoundationEssentials
import Glibc

/// A live network stream (an IP camera over RTSP, a live HTTP or HLS stream, MPEG-TS over UDP,
/// SRT), read like a camera: a background thread reads continuously and keeps only the newest
/// frame, so results are never more than a frame behind the stream.
///
/// When the connection drops or the stream stalls for longer than the read timeout, the source
/// reconnects with backoff (0.5 s doubling to 5 s) and says so on `warn` once per outage, then
/// once more when frames flow again. With `reconnectFor`, an outage longer than that ends the
/// run with `PipelineError.streamLost`. Times come from the stream's own timestamps, counted from
/// the first frame the pipeline takes; after a reconnection they go on from the last frame's time plus the outage.
public final class LiveStreamSource: FrameSource {
    public let info: SourceInfo
    private let url: StreamURL
    private let options: StreamOptions
    private let grey: Bool
    private let warn: (String) -> Void
    private let stop: StopRequest?
    private var reader: BackgroundReader<DecodedFrame>!

    /// Guards `connection` and `closing`, which `close` uses from the pipeline's thread.
    private let state = Condition()
    private var connection: VideoCapture?
    private var closing = false

    // The reader thread's own state.
    private var connectionStart: Double?        // the current connection's first timestamp, ms
    private var offset = 0.0                    // seconds added to the current connection's times
    private var lastTime = -1.0
    private var lastFrameWall = 0.0

    // The pipeline thread's.
    private var delivered = 0
    private var firstDelivered: Double?         // the first frame handed on, ms of the run's time
    private var closed = false

    /// `capture` is the first connection, already open. `stop`: a requested stop ends the
    /// source (`nextFrame` gives nil) even while it waits for a reconnection.
    init(url: StreamURL, capture: VideoCapture, options: StreamOptions, grey: Bool,
         warn: @escaping (String) -> Void, stop: StopRequest?) {
        let captureInfo = capture.info
        info = SourceInfo(kind: .stream, name: url.redacted, width: captureInfo.width, height: captureInfo.height,
                          fps: captureInfo.fps > 0 && captureInfo.fps < 1000 ? captureInfo.fps : 0, frameCount: nil)
        self.url = url
        self.options = options
        self.grey = grey
        self.warn = warn
        self.stop = stop
        if grey { capture.deliverGrey() }
        connection = capture
        reader = BackgroundReader(policy: .latestOnly) { [unowned self] in try self.readNext() }
        reader.start()
    }

    deinit { close() }

    /// Frames the pipeline was too slow to take (replaced by newer ones).
    public var droppedFrames: Int { reader.droppedCount }

    public func nextFrame() throws -> Frame? {
        while !closed {
            if stop?.isRequested == true { return nil }
            let item: DecodedFrame?
            do {
                // Short waits, so that a stop asked for during an outage is noticed.
                item = try reader.next(timeout: 0.25)
            } catch is ReaderTimeout {
                continue
            }
            guard let item else { return nil }
            defer { delivered += 1 }
            // The reader may replace the very first frames before the pipeline takes one: the
            // run's clock starts at the first frame it sees, as a camera's does.
            let first = firstDelivered ?? item.milliseconds
            firstDelivered = first
            return Frame(index: delivered, time: max(0, item.milliseconds - first) / 1000, image: item.image)
        }
        return nil
    }

    public func close() {
        guard !closed else { return }
        closed = true
        state.lock()
        closing = true
        connection?.interrupt()
        state.broadcast()
        state.unlock()
        reader.stop()
    }

    // MARK: - The reader thread

    /// The next frame, reconnecting as often as it takes; nil once the source is closed.
    private func readNext() throws -> DecodedFrame? {
        var outage: (start: Double, reason: String)?
        while true {
            guard let capture = currentConnection() else { return nil }
            var reason = "the stream ended"
            do {
                if let item = try capture.read() {
                    if let outage {
                        warn("\(url.redacted): reconnected after \(Self.seconds(MonotonicClock.now() - outage.start)) s")
                    }
                    return try retimed(item)
                }
            } catch let error as OpenCVError {
                reason = describe(error.message)
            }
            guard replace(capture, with: nil) else { return nil }
            if outage == nil {
                outage = (MonotonicClock.now(), reason)
                warn("\(url.redacted): connection lost (\(reason)); reconnecting")
            }
            guard try reconnect(since: outage!.start, reason: &outage!.reason) else { return nil }
        }
    }

    /// Opens connections with backoff until one succeeds (true), the source is closed (false),
    /// or the outage has lasted `reconnectFor` (throws).
    private func reconnect(since start: Double, reason: inout String) throws -> Bool {
        var attempt = 0
        while true {
            attempt += 1
            let elapsed = MonotonicClock.now() - start
            if let limit = options.reconnectFor, elapsed >= limit {
                throw PipelineError.streamLost(url: url.redacted, seconds: limit, reason: reason)
            }
            var wait = StreamOptions.backoff(attempt: attempt)
            if let limit = options.reconnectFor { wait = min(wait, max(0, limit - elapsed)) }
            guard pause(seconds: wait) else { return false }
            if let limit = options.reconnectFor, MonotonicClock.now() - start >= limit { continue }
            do {
                let capture = try VideoCapture(url: url.text, name: url.redacted,
                                               timeoutMilliseconds: Int(options.timeout * 1000),
                                               inputFormat: options.inputFormat, options: options.inputOptions)
                if grey { capture.deliverGrey() }
                connectionStart = nil
                offset = max(lastTime, 0) + max(MonotonicClock.now() - lastFrameWall, info.fps > 0 ? 1 / info.fps : 1.0 / 30)
                return replace(nil, with: capture)
            } catch let error as OpenCVError {
                reason = describe(error.message)
            }
        }
    }

    /// A frame with the run's time, at the size of the first connection's frames (a camera that
    /// comes back at another resolution is scaled, so every frame of a run has one size).
    private func retimed(_ item: DecodedFrame) throws -> DecodedFrame {
        let start = connectionStart ?? item.milliseconds
        connectionStart = start
        var time = offset + max(0, item.milliseconds - start) / 1000
        if lastTime >= 0 && !(time > lastTime) { time = lastTime + (info.fps > 0 ? 1 / info.fps : 1.0 / 30) }
        lastTime = time
        lastFrameWall = MonotonicClock.now()
        var image = item.image
        if image.width != info.width || image.height != info.height {
            image = try image.resized(width: info.width, height: info.height)
        }
        return (image, time * 1000)
    }

    private func currentConnection() -> VideoCapture? {
        state.lock()
        defer { state.unlock() }
        return closing ? nil : connection
    }

    /// Swaps the connection unless the source is closing (false).
    private func replace(_ old: VideoCapture?, with new: VideoCapture?) -> Bool {
        state.lock()
        defer { state.unlock() }
        guard !closing else { return false }
        connection = new
        return true
    }

    /// Waits `seconds` unless the source is closed first (false).
    private func pause(seconds: Double) -> Bool {
        state.lock()
        defer { state.unlock() }
        let deadline = MonotonicClock.now() + seconds
        while !closing && MonotonicClock.now() < deadline { _ = state.wait(until: deadline) }
        return !closing
    }

    /// The shim's message without the URL it starts with, and without credentials.
    private func describe(_ message: String) -> String {
        let prefix = url.redacted + ": "
        let text = message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : message
        return url.scrub(text)
    }

    private static func seconds(_ value: Double) -> String {
        NumberFormat.decimal(value, decimals: 1)
    }
}
