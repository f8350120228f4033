import EmotionPipeline

/// Everything `emotion-live serve` can be asked, with the documented defaults.
public struct ServerOptions: Sendable {
    /// Address to bind: loopback unless the user exposes the server on purpose.
    public var host: String = "127.0.0.1"
    /// TCP port; 0 picks a free one (the address is printed once listening).
    public var port: Int = 8080
    /// Worker threads, each with its own detector and inference session.
    public var workers: Int = 2
    /// Jobs that may always wait for a worker: the queue's length before any throughput is
    /// measured, and its least length after.
    public var queueCapacity: Int = 16
    /// Seconds of work that may wait: the queue holds this times the measured throughput
    /// (at least `queueCapacity`); work beyond it is refused with 503.
    public var maxQueueWait: Double = 10
    /// Shared secret for every route but `/` and `/healthz` (nil: open).
    public var token: String?
    /// Largest request body or WebSocket message, in bytes.
    public var maxBody: Int = 10 * 1024 * 1024
    /// Largest picture, in pixels (width x height), checked before it is decoded.
    public var maxPixels: Int = FrameSizeLimit.maxPixels
    /// WebSocket connections served at once; more get 503.
    public var maxClients: Int = 16
    /// Seconds a connection may stay silent (no request, no frame) before it is closed.
    public var idleTimeout: Double = 30
    /// Detector settings (stills are searched whole: `DetectorOptions.exact`).
    public var detector = DetectorOptions()
    public var cascadePath: String?
    public var margins: CropMargins = .default
    /// Time constant of each streamed face's probability average; 0 turns it off.
    public var smoothSeconds: Double = 0.5

    public init() {}

    /// Whether the address reaches beyond this machine.
    public var isExposed: Bool {
        !["127.0.0.1", "localhost", "::1"].contains(host) && !host.hasPrefix("127.")
    }
}
