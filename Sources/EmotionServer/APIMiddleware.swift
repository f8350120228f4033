import EmotionPipeline
import Hummingbird
import Logging
import NIOCore

/// Around every route: the token check, errors turned into JSON replies, one log line and the
/// request counters. Pictures are never logged, nor the query (it may hold the token).
struct APIMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String?
    let metrics: ServerMetrics
    let logger: Logger

    /// Routes anyone may reach: the page (which carries no data) and the health check that
    /// load balancers and Kubernetes probe.
    static var openPaths: Set<String> { ["/", "/healthz"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = MonotonicClock.now()
        var response: Response
        do {
            if let token, !Self.openPaths.contains(request.uri.path), !Self.authorized(request, token: token) {
                throw APIError.unauthorized
            }
            response = try await next(request, context)
        } catch {
            response = Self.errorResponse(Self.apiError(error, path: request.uri.path))
        }
        let status = response.status.code
        let route = context.endpointPath ?? "unmatched"
        metrics.request(route: route, status: status)
        let milliseconds = NumberFormat.fixed((MonotonicClock.now() - start) * 1000, 1)
        logger.info("\(request.method) \(request.uri.path.prefix(200)) \(status) \(milliseconds) ms")
        return response
    }

    /// `Authorization: Bearer TOKEN`, or `?token=TOKEN` for clients that cannot set headers
    /// (a browser's WebSocket). Compared in constant time.
    static func authorized(_ request: Request, token: String) -> Bool {
        if let header = request.headers[.authorization], header.hasPrefix("Bearer "),
           constantTimeEqual(String(header.dropFirst(7)), token) {
            return true
        }
        if let query = request.uri.queryParameters["token"], constantTimeEqual(String(query), token) { return true }
        return false
    }

    static func apiError(_ error: Error, path: String) -> APIError {
        switch error {
        case let error as APIError: return error
        case let error as HTTPError where error.status == .notFound: return .notFound(path)
        case let error as HTTPError: return APIError(status: Int(error.status.code), message: error.body ?? error.status.reasonPhrase)
        case let error as HTTPResponseError where error.status == .contentTooLarge:
            return APIError(status: 413, message: "the body is too large (--max-body)")
        case let error as HTTPResponseError: return APIError(status: Int(error.status.code), message: error.status.reasonPhrase)
        case let error as PipelineError: return APIError(status: 500, message: String(describing: error))
        default: return APIError(status: 500, message: "internal error")
        }
    }

    static func errorResponse(_ error: APIError) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retry = error.retryAfter { headers[.retryAfter] = "\(retry)" }
        return Response(status: .init(code: error.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: error.json)))
    }
}

/// Equal strings, in a time that depends on their lengths only, not on where they differ.
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    var difference = UInt8(x.count == y.count ? 0 : 1)
    for index in 0..<max(x.count, y.count) {
        difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
    }
    return difference == 0
}
