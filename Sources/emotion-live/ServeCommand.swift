import ArgumentParser
import Dispatch
import EmotionPipeline
import EmotionServer
import Glibc
import Logging

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the detector over HTTP and WebSocket, with a browser page at /.",
        discussion: """
        POST /v1/analyze (a JPEG, PNG or WebP body: one JSON frame object back), GET /v1/stream \
        (WebSocket: binary JPEG frames in, one JSON reply per frame, stale frames dropped), \
        GET /v1/model, GET /healthz, GET /metrics (Prometheus) and GET / (a page that runs on \
        your webcam). Binds loopback unless --host says otherwise; with --token every route but \
        / and /healthz needs `Authorization: Bearer TOKEN` or `?token=TOKEN`. Stops cleanly on \
        SIGINT or SIGTERM.
        """
    )

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: ArgumentHelp("Address to bind (0.0.0.0: every interface).", valueName: "address"))
    var host: String = "127.0.0.1"

    @Option(name: .long, help: ArgumentHelp("TCP port (0: any free port; the address is printed).", valueName: "port"))
    var port: Int = 8080

    @Option(name: .long, help: ArgumentHelp("Worker threads, each with its own inference session and detector.", valueName: "n"))
    var workers: Int = 2

    @Option(name: .long, help: ArgumentHelp("Pictures that may always wait for a worker (the queue's least length).", valueName: "n"))
    var queue: Int = 16

    @Option(name: .long, help: ArgumentHelp("""
        Seconds of work that may wait: the queue holds this times the measured throughput \
        (at least --queue); beyond it a request gets 503 and, in Retry-After, its turn, \
        which the queue keeps for it.
        """, valueName: "seconds"))
    var maxQueueWait: Double = 10

    @Option(name: .long, help: ArgumentHelp("Shared secret required on every route but / and /healthz.", valueName: "token"))
    var token: String?

    @Option(name: .long, help: ArgumentHelp("Largest request body or WebSocket message, in bytes.", valueName: "bytes"))
    var maxBody: Int = 10 * 1024 * 1024

    @Option(name: .long, help: ArgumentHelp("WebSocket streams served at once; more get 503.", valueName: "n"))
    var maxClients: Int = 16

    @Option(name: .long, help: ArgumentHelp("Seconds a connection may stay silent before it is closed.", valueName: "seconds"))
    var idleTimeout: Double = 30

    @Option(name: .long, help: ArgumentHelp("Time constant of each streamed face's probability average (0: off).", valueName: "seconds"))
    var smooth: Double = 0.5

    @OptionGroup(title: "Face detector") var detectorFlags: DetectorFlags

    @Option(name: .long, help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error or critical.", valueName: "level"))
    var logLevel: String = "info"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard (1...64).contains(workers) else { throw ValidationError("--workers must be between 1 and 64") }
        guard (0...10_000).contains(queue) else { throw ValidationError("--queue must be between 0 and 10000") }
        guard maxQueueWait >= 0, maxQueueWait <= 3600 else { throw ValidationError("--max-queue-wait must be in [0, 3600] seconds") }
        guard (1024...(1 << 30)).contains(maxBody) else { throw ValidationError("--max-body must be between 1024 and 1073741824 bytes") }
        guard (1...10_000).contains(maxClients) else { throw ValidationError("--max-clients must be between 1 and 10000") }
        guard idleTimeout >= 1, idleTimeout <= 3600 else { throw ValidationError("--idle-timeout must be in [1, 3600] seconds") }
        guard smooth >= 0, smooth <= 60 else { throw ValidationError("--smooth must be in [0, 60] seconds") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical") }
        if let token, token.isEmpty || token.contains(where: { $0.isWhitespace }) {
            throw ValidationError("--token must be non-empty, without spaces")
        }
        guard !host.isEmpty else { throw ValidationError("--host must not be empty") }
    }

    func run() throws {
        try reportingFailures {
            let (network, metadata) = try modelOptions.load()
            var options = ServerOptions()
            options.host = host
            options.port = port
            options.workers = workers
            options.queueCapacity = queue
            options.maxQueueWait = maxQueueWait
            options.token = token
            options.maxBody = maxBody
            options.maxClients = maxClients
            options.idleTimeout = idleTimeout
            options.detector = try detectorFlags.options()
            options.cascadePath = detectorFlags.cascade
            options.smoothSeconds = smooth
            if options.isExposed && token == nil {
                fputs("emotion-live: warning: serving on \(host) without --token: anyone who can reach this address can use it\n", stderr)
            }
            var logger = Logger(label: "emotion-live") { StreamLogHandler.standardError(label: $0) }
            logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            let server = try EmotionServer(options: options, model: network, metadata: metadata, logger: logger)
            let workers = options.workers
            try Self.block {
                try await server.run { address in
                    fputs("emotion-live: serving on \(address) (\(workers) workers)\n", stderr)
                }
            }
        }
    }

    /// Runs async work from this synchronous command and waits for it: the main thread stays
    /// as every other command has it.
    static func block(_ body: @escaping @Sendable () async throws -> Void) throws {
        final class Outcome: @unchecked Sendable { var error: Error? }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { try await body() } catch { outcome.error = error }
            done.signal()
        }
        done.wait()
        if let error = outcome.error { throw ServeError(underlying: error) }
    }
}

/// A server that could not start or stopped on an error, in one line.
struct ServeError: Error, CustomStringConvertible {
    let underlying: Error
    var description: String { "serve: \(underlying)" }
}
