import EmotionPipeline
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import KerasEngine
import Logging
import NIOCore

/// `emotion-live serve`: the HTTP and WebSocket API over a fixed pool of workers.
///
/// | route | |
/// |---|---|
/// | `GET /` | the browser page (`WebPage`) |
/// | `POST /v1/analyze` | a JPEG, PNG or WebP body -> one headless-jsonl frame object |
/// | `GET /v1/stream` | WebSocket: binary JPEG frames in, one JSON reply per frame (`StreamSession`) |
/// | `GET /v1/model` | what `inspect --format json` prints |
/// | `GET /healthz` | the model is loaded and a worker or a queue slot is free |
/// | `GET /metrics` | Prometheus text (`ServerMetrics`) |
///
/// The server holds no state across connections: copies behind a load balancer are
/// interchangeable.
public final class EmotionServer: Sendable {
    public let options: ServerOptions
    public let metrics = ServerMetrics()
    private let pool: AnalysisPool
    private let modelJSON: String
    private let logger: Logger

    /// Loads the workers (each with its own session and detector); throws before anything
    /// listens when the model or the cascade cannot be used.
    public init(options: ServerOptions, model: KerasModel, metadata: ModelMetadata, logger: Logger) throws {
        self.options = options
        self.logger = logger
        pool = try AnalysisPool(model: model, metadata: metadata, modelPath: model.path, options: options, metrics: metrics)
        modelJSON = jsonString(ModelSummaryText.jsonObject(model, metadata: metadata))
    }

    /// Serves until SIGINT or SIGTERM (a graceful shutdown: requests in progress finish).
    /// `onListening` gets the address once the socket is bound (with the port a 0 resolved to).
    public func run(onListening: @escaping @Sendable (String) -> Void = { _ in }) async throws {
        let router = Router()
        router.middlewares.add(APIMiddleware(token: options.token, metrics: metrics, logger: logger))
        addRoutes(to: router)
        let streams = Router(context: BasicWebSocketRequestContext.self)
        // The token of a stream is checked once upgraded (`addStreamRoute`).
        streams.middlewares.add(APIMiddleware(token: nil, metrics: metrics, logger: logger))
        addStreamRoute(to: streams)

        let idle = Duration.milliseconds(Int64(options.idleTimeout * 1000))
        let channelConfiguration = HTTP1WebSocketUpgradeChannel.Configuration(
            http1: .init(idleTimeout: .milliseconds(Int64(options.idleTimeout * 1000))),
            ws: .init(maxFrameSize: options.maxBody, autoPing: .enabled(timePeriod: idle), closeTimeout: .seconds(3)))
        let streamResponder = streams.buildResponder()
        // As HTTPServerBuilder.http1WebSocketUpgrade builds it, with a deadline for the first
        // request, which Hummingbird leaves open (`FirstRequestDeadline`).
        let firstRequest = TimeAmount.milliseconds(Int64(options.idleTimeout * 1000))
        let server = HTTPServerBuilder { responder in
            FirstRequestDeadline(base: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: streamResponder,
                                                                    configuration: channelConfiguration),
                                 deadline: firstRequest)
        }
        let host = options.host
        let app = Application(
            router: router, server: server,
            configuration: .init(address: .hostname(host, port: options.port), serverName: "emotion-live"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                onListening("http://\(host.contains(":") ? "[\(host)]" : host):\(port)")
            },
            logger: logger)
        defer { pool.shutdown() }
        try await app.runService()  // SIGTERM and SIGINT: graceful shutdown
    }

    private func addRoutes(to router: Router<BasicRequestContext>) {
        let pool = pool, options = options, metrics = metrics, modelJSON = modelJSON
        let frameJSON = FrameJSON(labels: pool.labels)
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                     body: .init(byteBuffer: ByteBuffer(string: WebPage.html)))
        }
        router.get("/healthz") { _, _ -> Response in
            let load = pool.load
            let free = load.busy < pool.workerCount || load.queued < load.capacity
            let body = jsonString(["status": free ? "ok" : "busy", "workers": pool.workerCount, "busy": load.busy,
                                   "queued": load.queued, "capacity": load.capacity, "turns": load.turns,
                                   "streams": metrics.openStreams] as [String: Any])
            return Self.json(body, status: free ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(string: metrics.text())))
        }
        router.get("/v1/model") { _, _ in Self.json(modelJSON) }
        router.post("/v1/analyze") { request, _ -> Response in
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: options.maxBody)
            } catch is NIOTooManyBytesError {
                throw APIError.bodyTooLarge(limit: options.maxBody)
            }
            guard body.readableBytes > 0 else { throw APIError.notAnImage() }
            // An HTTP client is told when to come back (Retry-After): its turn is kept.
            let result = try await pool.analyze(Array(body.readableBytesView), keepsTurn: true)
            return Self.json(frameJSON.encode(result))
        }
        router.get("/v1/stream") { _, _ -> Response in
            throw APIError(status: 426, message: "/v1/stream is a WebSocket: send an Upgrade request")
        }
    }

    /// A WebSocket handshake that fails carries no body (the upgrade machinery answers a bare
    /// 400), and a browser sees no status at all: a refused stream (wrong token, too many
    /// clients) is accepted, sent one `{"error": {...}}` message with the HTTP status it stands
    /// for, and closed with code 1008 (policy) or 1013 (try again later).
    private func addStreamRoute(to router: Router<BasicWebSocketRequestContext>) {
        let pool = pool, options = options, metrics = metrics, logger = logger
        router.ws("/v1/stream") { inbound, outbound, context in
            var refusal: APIError?
            if let token = options.token, !APIMiddleware<BasicWebSocketRequestContext>.authorized(context.request, token: token) {
                refusal = .unauthorized
            } else if !metrics.openStream(limit: options.maxClients) {
                refusal = .tooManyClients
            }
            if let refusal {
                logger.info("GET /v1/stream refused: \(refusal.status)")
                try await outbound.write(.text(refusal.json))
                try await outbound.close(.init(codeNumber: refusal.status == 401 ? 1008 : 1013), reason: refusal.message)
                return
            }
            defer { metrics.stream(opened: false) }
            let session = StreamSession(pool: pool, options: options, metrics: metrics, logger: logger)
            await session.serve(inbound: inbound, outbound: outbound)
        }
    }

    static func json(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
