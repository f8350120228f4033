import EmotionPipeline
import NIOConcurrencyHelpers

/// The server's counters, in Prometheus's text format (`GET /metrics`): requests by route and
/// status, frames, faces, dropped stream frames, work in flight and a processing-latency
/// histogram. Written by hand: a dozen series do not need a metrics framework.
public final class ServerMetrics: Sendable {
    /// Upper bounds of the latency histogram, in seconds (Prometheus's `le`).
    public static let latencyBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// A requests counter's labels. Sorted by route, then status: the exposition's order.
    private struct RequestLabels: Hashable, Comparable {
        let route: String
        let status: Int

        static func < (a: RequestLabels, b: RequestLabels) -> Bool { (a.route, a.status) < (b.route, b.status) }
    }

    private struct State {
        var requests: [RequestLabels: Int] = [:]
        var frames = 0
        var faces = 0
        var dropped = 0
        var inFlight = 0
        var streams = 0
        var buckets = [Int](repeating: 0, count: ServerMetrics.latencyBuckets.count)
        var latencyCount = 0
        var latencySum = 0.0
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// A request answered (`route` is the route's pattern, never the raw path: bounded labels).
    public func request(route: String, status: Int) {
        state.withLockedValue { $0.requests[RequestLabels(route: route, status: status), default: 0] += 1 }
    }

    /// A picture analysed, with its faces and the seconds its processing took (queue included).
    public func frame(faces: Int, seconds: Double) {
        state.withLockedValue { state in
            state.frames += 1
            state.faces += faces
            state.latencyCount += 1
            state.latencySum += seconds
            for (index, bound) in Self.latencyBuckets.enumerated() where seconds <= bound { state.buckets[index] += 1 }
        }
    }

    public func dropped(_ count: Int) { state.withLockedValue { $0.dropped += count } }
    public func work(started: Bool) { state.withLockedValue { $0.inFlight += started ? 1 : -1 } }
    public func stream(opened: Bool) { state.withLockedValue { $0.streams += opened ? 1 : -1 } }

    /// Open WebSocket streams.
    public var openStreams: Int { state.withLockedValue { $0.streams } }

    /// Reserves a stream slot when fewer than `limit` are open.
    public func openStream(limit: Int) -> Bool {
        state.withLockedValue { state in
            guard state.streams < limit else { return false }
            state.streams += 1
            return true
        }
    }

    /// The exposition text.
    public func text() -> String {
        let state = state.withLockedValue { $0 }
        var out = "# HELP emotion_live_requests_total HTTP requests answered, by route and status.\n"
        out += "# TYPE emotion_live_requests_total counter\n"
        for (labels, count) in state.requests.sorted(by: { $0.key < $1.key }) {
            out += "emotion_live_requests_total{route=\"\(labels.route)\",status=\"\(labels.status)\"} \(count)\n"
        }
        func counter(_ name: String, _ help: String, _ value: Int, type: String = "counter") {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        counter("emotion_live_frames_total", "Pictures analysed (requests and stream frames).", state.frames)
        counter("emotion_live_faces_total", "Faces found in them.", state.faces)
        counter("emotion_live_dropped_frames_total", "Stream frames replaced by a newer one before a worker took them.", state.dropped)
        counter("emotion_live_in_flight", "Pictures queued or being analysed.", state.inFlight, type: "gauge")
        counter("emotion_live_streams", "Open WebSocket streams.", state.streams, type: "gauge")
        out += "# HELP emotion_live_processing_seconds Time from a picture's arrival to its result, queueing included.\n"
        out += "# TYPE emotion_live_processing_seconds histogram\n"
        for (index, bound) in Self.latencyBuckets.enumerated() {
            out += "emotion_live_processing_seconds_bucket{le=\"\(bound)\"} \(state.buckets[index])\n"
        }
        out += "emotion_live_processing_seconds_bucket{le=\"+Inf\"} \(state.latencyCount)\n"
        out += "emotion_live_processing_seconds_sum \(NumberFormat.decimal(state.latencySum))\n"
        out += "emotion_live_processing_seconds_count \(state.latencyCount)\n"
        return out
    }
}
