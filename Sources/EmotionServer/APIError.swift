import EmotionPipeline

/// An API request that cannot be served: its HTTP status, and the one-line message the JSON
/// reply carries (`{"error": {"status": 415, "message": "..."}}`). Never the picture's bytes.
public struct APIError: Error, Equatable, CustomStringConvertible {
    public let status: Int
    public let message: String
    /// Seconds a client should wait before trying again (503).
    public let retryAfter: Int?

    public init(status: Int, message: String, retryAfter: Int? = nil) {
        self.status = status
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { "\(status): \(message)" }

    /// The JSON body of the reply.
    public var json: String { jsonString(object) }

    /// A stream's reply to a frame that cannot be analysed: the error and the frame's index.
    public func json(frame: Int) -> String {
        var object = object
        object["frame"] = frame
        return jsonString(object)
    }

    private var object: [String: Any] { ["error": ["status": status, "message": message] as [String: Any]] }

    public static func notAnImage() -> APIError {
        APIError(status: 415, message: "the body is not a JPEG, PNG or WebP image")
    }
    public static func undecodable(_ format: ImageHeader.Format?) -> APIError {
        APIError(status: 400, message: "the \(format?.rawValue.uppercased() ?? "image") data cannot be decoded")
    }
    public static func bodyTooLarge(limit: Int) -> APIError {
        APIError(status: 413, message: "the body is larger than the \(limit)-byte limit (--max-body)")
    }
    public static func pictureTooLarge(width: Int, height: Int, maxPixels: Int) -> APIError {
        APIError(status: 413, message: "the picture is \(width)x\(height), over the limit of \(maxPixels) pixels (8192x8192)")
    }
    /// The queue holds what the workers can clear within `--max-queue-wait`; `retryAfter` is
    /// the seconds until this request's turn (`QueueBudget.retryAfter`), kept for it.
    public static func busy(retryAfter: Int) -> APIError {
        APIError(status: 503, message: "the queue is full (--max-queue-wait); retry in \(retryAfter) s", retryAfter: retryAfter)
    }
    public static let tooManyClients = APIError(status: 503, message: "too many WebSocket clients (--max-clients)", retryAfter: 5)
    public static let unauthorized = APIError(status: 401, message: "missing or wrong token (Authorization: Bearer TOKEN, or ?token=TOKEN)")
    public static func notFound(_ path: String) -> APIError {
        APIError(status: 404, message: "no such route: \(path.prefix(200))")
    }
}
