/// How a network source (`rtsp://`, `http(s)://`, `udp://`, `srt://`, ...) is opened and kept.
///
/// Live or file: `live` when set (`--live` / `--no-live`); otherwise the scheme, for those live
/// by nature (`StreamURL.liveSchemes`: rtsp, rtmp, udp, rtp, srt, tcp, rist); otherwise what
/// FFmpeg reports once connected: a stream with no known duration, or one that cannot seek, is
/// live (an HLS playlist is live unless it has a duration, i.e. is a finished recording). A live
/// stream is read like a camera (only the newest frame is kept; reconnects when it drops); a
/// file like a local video file (every frame, in order, paced to its clock in a window).
public struct StreamOptions: Equatable, Sendable {
    /// Forces live (true) or file (false) behaviour; nil decides as above.
    public var live: Bool?
    /// How long a live stream may stay unreachable, in seconds, before the run fails; nil tries
    /// forever. Counted from the moment the connection dropped.
    public var reconnectFor: Double?
    /// Bound on connecting and on each wait for data, in seconds.
    public var timeout: Double
    /// FFmpeg's demuxer to use instead of probing (`--input-format`, e.g. "mpegts").
    public var inputFormat: String?
    /// FFmpeg options as "key=value" (`--input-option`, e.g. "rtsp_transport=tcp").
    public var inputOptions: [String]

    public init(live: Bool? = nil, reconnectFor: Double? = nil, timeout: Double = 10,
                inputFormat: String? = nil, inputOptions: [String] = []) {
        self.live = live
        self.reconnectFor = reconnectFor
        self.timeout = timeout
        self.inputFormat = inputFormat
        self.inputOptions = inputOptions
    }

    /// Wait before reconnection attempt `attempt` (1, 2, ...): 0.5 s doubling to at most 5 s.
    public static func backoff(attempt: Int) -> Double {
        min(5, 0.5 * Double(1 << min(max(attempt - 1, 0), 4)))
    }
}
