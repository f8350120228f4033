import EmotionPipeline
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOConcurrencyHelpers
import ServiceLifecycle

/// One WebSocket client of `/v1/stream`: binary JPEG (PNG, WebP) frames in, one JSON reply per
/// frame done, with face ids and smoothing of its own.
///
/// Never a queue of stale frames: a frame that arrives while the previous one is analysed
/// waits in a one-frame slot, and a newer frame replaces it there. Each reply is the frame's
/// object (`FrameJSON`) with `"dropped"`, the frames replaced since the previous reply. A
/// picture that cannot be analysed gets `{"error": {...}}` and the stream goes on; a client
/// silent for the idle timeout is closed.
final class StreamSession: @unchecked Sendable {
    private let pool: AnalysisPool
    private let options: ServerOptions
    private let metrics: ServerMetrics
    private let logger: Logger
    private let dropped = NIOLockedValueBox(0)
    private let lastHeard = NIOLockedValueBox(MonotonicClock.now())

    init(pool: AnalysisPool, options: ServerOptions, metrics: ServerMetrics, logger: Logger) {
        self.pool = pool
        self.options = options
        self.metrics = metrics
        self.logger = logger
    }

    func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        let (frames, slot) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let opened = MonotonicClock.now()
        let answered = NIOLockedValueBox(0)
        let (ended, end) = AsyncStream<Void>.makeStream()
        // The reading ends when the client closes or goes away; the watch when it has closed the
        // stream (idle, shutdown). Whichever comes first ends the session.
        let reading = Task {
            do {
                try await self.read(inbound, into: slot)
            } catch {
                self.logger.debug("stream ended: \(error)")
            }
            slot.finish()
            end.yield()
        }
        let watching = Task {
            await self.watch(outbound)
            end.yield()
        }
        let answering = Task { await self.answer(frames, outbound: outbound, opened: opened, answered: answered) }
        for await _ in ended { break }
        watching.cancel()
        slot.finish()
        answering.cancel()
        await answering.value
        // Once the handler returns, the WebSocket library reads the same inbound stream for the
        // close handshake, and two readers at once trap (a crash on SIGTERM with a stream open).
        // Cancelling ends a reader still waiting on a client that never answers the close.
        reading.cancel()
        await reading.value
        logger.info("stream of \(NumberFormat.fixed(MonotonicClock.now() - opened, 1)) s ended: \(answered.withLockedValue { $0 }) frames answered")
    }

    /// Closes the stream (close frame 1001) when the client has been silent for the idle
    /// timeout, or when the server shuts down (SIGTERM): a WebSocket would otherwise hold a
    /// graceful shutdown open for as long as the browser tab lives.
    private func watch(_ outbound: WebSocketOutboundWriter) async {
        while !Task.isCancelled {
            try? await Task.sleep(nanoseconds: 250_000_000)
            let silent = MonotonicClock.now() - lastHeard.withLockedValue { $0 }
            let reason: String
            if silent > options.idleTimeout {
                reason = "idle for \(NumberFormat.fixed(silent, 0)) s"
            } else if Task.isShuttingDownGracefully {
                reason = "server shutting down"
            } else {
                continue
            }
            if Task.isCancelled { return }
            logger.info("closing stream: \(reason)")
            try? await outbound.close(.goingAway, reason: reason)
            return
        }
    }

    private func read(_ inbound: WebSocketInboundStream, into slot: AsyncStream<[UInt8]>.Continuation) async throws {
        defer { slot.finish() }
        for try await message in inbound.messages(maxSize: options.maxBody) {
            lastHeard.withLockedValue { $0 = MonotonicClock.now() }
            guard case let .binary(buffer) = message else { continue }
            if case .dropped = slot.yield(Array(buffer.readableBytesView)) {
                dropped.withLockedValue { $0 += 1 }
                metrics.dropped(1)
            }
        }
    }

    private func answer(_ frames: AsyncStream<[UInt8]>, outbound: WebSocketOutboundWriter, opened: Double,
                        answered: NIOLockedValueBox<Int>) async {
        let tracking = FaceTracking(labels: pool.labels, smoothSeconds: options.smoothSeconds)
        let frameJSON = FrameJSON(labels: pool.labels)
        var index = 0
        for await bytes in frames {
            let time = MonotonicClock.now() - opened
            let reply: String
            do {
                let result = tracking.track(try await pool.analyze(bytes, index: index, time: time))
                let skipped = dropped.withLockedValue { count -> Int in defer { count = 0 }; return count }
                reply = frameJSON.encode(result, dropped: skipped)
            } catch {
                let failure = error as? APIError ?? APIError(status: 500, message: "\(error)")
                reply = failure.json(frame: index)
            }
            do {
                try await outbound.write(.text(reply))
            } catch {
                return  // the client has gone: nobody to answer
            }
            index += 1
            answered.withLockedValue { $0 = index }
        }
    }
}
