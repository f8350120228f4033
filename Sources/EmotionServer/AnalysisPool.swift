import EmotionPipeline
import KerasEngine

/// The server's workers: one `PictureAnalyzer` per thread, reached from async request handlers.
/// Pictures are served in the order they arrive; the queue holds what the workers can clear
/// within `--max-queue-wait` seconds (`AdmissionQueue`), and a picture beyond that is refused at
/// once with `APIError.busy` (503, Retry-After: the seconds until its turn), never queued
/// without bound.
public final class AnalysisPool: @unchecked Sendable {
    public let labels: [String]
    public let workerCount: Int
    private let pool: AdmissionQueue<PictureAnalyzer>
    private let metrics: ServerMetrics

    /// Builds `options.workers` analyzers on `model` (one inference session and one detector
    /// each). Throws when the cascade or the model cannot be used, before anything listens.
    public init(model: KerasModel, metadata: ModelMetadata, modelPath: String, options: ServerOptions,
                metrics: ServerMetrics) throws {
        var analyzers: [PictureAnalyzer] = []
        for _ in 0..<max(options.workers, 1) {
            let classifier = try EmotionClassifier(model: model, metadata: metadata, path: modelPath)
            let finder = try makeFaceFinder(options: options.detector.forStills, cascadePath: options.cascadePath)
            let processor = FrameProcessor(finder: finder, preprocessor: classifier.makePreprocessor(margins: options.margins),
                                           classifier: classifier)
            analyzers.append(PictureAnalyzer(processor: processor, maxPixels: options.maxPixels))
        }
        labels = metadata.labels
        workerCount = analyzers.count
        pool = AdmissionQueue(workers: analyzers, maxWait: options.maxQueueWait, floor: options.queueCapacity,
                              name: "analyze")
        self.metrics = metrics
    }

    /// Jobs waiting, workers busy, how many jobs may wait now, and turns kept for refused ones.
    public var load: (queued: Int, busy: Int, capacity: Int, turns: Int) { pool.load }

    /// The faces of one encoded picture; `APIError` for pictures that cannot be analysed and
    /// when the queue is full. `keepsTurn`: a refusal keeps the client's turn (`RetryBook`),
    /// for callers whose client retries after Retry-After.
    public func analyze(_ bytes: [UInt8], index: Int = 0, time: Double = 0, keepsTurn: Bool = false) async throws -> FrameResult {
        let start = MonotonicClock.now()
        metrics.work(started: true)
        defer { metrics.work(started: false) }
        let result: FrameResult = try await withCheckedThrowingContinuation { continuation in
            let admission = pool.submit(keepsTurn: keepsTurn) { analyzer in
                continuation.resume(with: Result {
                    try bytes.withUnsafeBytes { try analyzer.analyze($0, index: index, time: time) }
                })
            }
            if case let .refused(retryAfter) = admission {
                continuation.resume(throwing: APIError.busy(retryAfter: retryAfter))
            }
        }
        metrics.frame(faces: result.faces.count, seconds: MonotonicClock.now() - start)
        return result
    }

    /// Lets the queued work finish and ends the worker threads.
    public func shutdown() { pool.shutdown() }
}
