import ArgumentParser
import EmotionPipeline

/// The flags for network sources (`rtsp://`, `http(s)://`, `udp://`, `srt://`, ...).
struct StreamFlags: ParsableArguments {
    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "Network source: read it as a live stream (newest frame only, reconnects when it drops) or, with --no-live, as a file (every frame, in order). Default: live for rtsp, rtmp, udp, rtp, srt and tcp URLs, and for others when FFmpeg reports no duration or no seeking."))
    var live: Bool?

    @Option(name: .long, help: ArgumentHelp(
        "Live stream: give up, exit 1, after this many seconds without a connection (default: keep trying).",
        valueName: "seconds"))
    var reconnectFor: Double?

    @Option(name: .long, help: ArgumentHelp(
        "Network source: time limit for connecting and for each wait for data.", valueName: "seconds"))
    var streamTimeout: Double = 10

    @Option(name: .long, help: ArgumentHelp(
        "Network source: FFmpeg's demuxer to use instead of probing, e.g. mpegts.", valueName: "name"))
    var inputFormat: String?

    @Option(name: .long, help: ArgumentHelp(
        "Network source: an FFmpeg option, repeatable, e.g. rtsp_transport=tcp.", valueName: "key=value"))
    var inputOption: [String] = []

    func validate() throws {
        if let reconnectFor, !(0...1_000_000).contains(reconnectFor) {
            throw ValidationError("--reconnect-for must be between 0 and 1000000 seconds")
        }
        guard (0.1...3600).contains(streamTimeout) else { throw ValidationError("--stream-timeout must be between 0.1 and 3600 seconds") }
        for option in inputOption {
            let parts = option.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !option.contains("\n") else {
                throw ValidationError("--input-option takes key=value, e.g. rtsp_transport=tcp")
            }
        }
        if let inputFormat, inputFormat.isEmpty || inputFormat.contains("\n") {
            throw ValidationError("--input-format takes the name of an FFmpeg demuxer, e.g. mpegts")
        }
    }

    var options: StreamOptions {
        StreamOptions(live: live, reconnectFor: reconnectFor, timeout: streamTimeout,
                      inputFormat: inputFormat, inputOptions: inputOption)
    }
}
