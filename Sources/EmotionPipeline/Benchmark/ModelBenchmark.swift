import KerasEngine

/// `emotion-live bench` without `--video`: the engine's speed on a model (ms per face and
/// GFLOP/s over `threads` sessions), a face's whole classification as the pipeline pays it, and
/// with `layers` each layer's share.
public struct ModelBenchmark {
    public let model: KerasModel
    public let metadata: ModelMetadata
    /// The model's path, named in the report.
    public let path: String
    public let threads: Int
    public let batch: Int
    /// Also time each layer (one thread).
    public let layers: Bool

    public init(model: KerasModel, metadata: ModelMetadata, path: String, threads: Int, batch: Int, layers: Bool) {
        self.model = model
        self.metadata = metadata
        self.path = path
        self.threads = threads
        self.batch = batch
        self.layers = layers
    }

    /// Each figure after a second of warm-up, over `seconds`.
    public func measure(seconds: Double) throws -> ModelBenchmarkReport {
        let engine = EngineBenchmark(model: model, threads: threads, batch: batch).measure(seconds: seconds)
        // A face's whole cost in the classifier (one thread): with flip averaging, two passes.
        // Not for a model the classifier cannot take (not an H x W x 1 or 3 image to labels).
        let classifier = try? EmotionClassifier(model: model, metadata: metadata, path: path, maxBatch: batch)
        let classified = try classifier.map { try ClassifierBenchmark(classifier: $0, faces: batch).measure(seconds: seconds) }
        let profile = layers ? EngineBenchmark(model: model, threads: 1, batch: batch).profile(seconds: seconds) : nil
        return ModelBenchmarkReport(
            model: path, threads: threads, batch: batch, msPerFace: engine.msPerFace, gflops: engine.gflops,
            mflopPerFace: Double(model.flops) / 1e6, runs: engine.runs, flipAverage: metadata.flipAverage,
            msPerClassifiedFace: classified,
            layers: profile?.map { .init(name: $0.name, className: $0.className, msPerFace: $0.msPerSample) })
    }
}
