/// What `ModelBenchmark` measured: `bench`'s report, as text lines or one JSON object (its keys
/// are `CodingKeys`).
public struct ModelBenchmarkReport: BenchmarkReport, Equatable, Sendable {
    /// The model's path.
    public var model: String
    public var threads: Int
    public var batch: Int
    /// The engine's median run: one pass per face.
    public var msPerFace: Double
    public var gflops: Double
    public var mflopPerFace: Double
    /// Runs the median is of.
    public var runs: Int
    /// Whether the classifier averages each face with its mirror image (two passes a face).
    public var flipAverage: Bool
    /// A face's whole classification, one thread (nil for a model the classifier cannot take).
    public var msPerClassifiedFace: Double?
    /// Each layer's time, when asked for.
    public var layers: [Layer]?

    public var passesPerFace: Int { flipAverage ? 2 : 1 }

    /// One layer's time per face over repeated runs at `batch` (thread CPU time).
    public struct Layer: Equatable, Sendable, Encodable {
        public var name: String
        public var className: String
        public var msPerFace: Double

        public init(name: String, className: String, msPerFace: Double) {
            self.name = name
            self.className = className
            self.msPerFace = msPerFace
        }

        enum CodingKeys: String, CodingKey {
            case name, className = "class", msPerFace = "ms_per_face"
        }
    }

    /// `bench`'s text: the engine's figures, the classified face's, then a table of the layers
    /// with each one's share of their total.
    public var text: String {
        var lines = ["\(model): \(NumberFormat.fixed(msPerFace, 4)) ms per face, \(NumberFormat.fixed(gflops, 1)) GFLOP/s "
                     + "(\(NumberFormat.fixed(mflopPerFace, 1)) MFLOP per face; threads \(threads), batch \(batch), "
                     + "median of \(runs) runs)"]
        if let msPerClassifiedFace {
            lines.append("  classified, \(passesPerFace == 2 ? "with flip averaging (2 passes)" : "one pass"), one thread: "
                         + "\(NumberFormat.fixed(msPerClassifiedFace, 4)) ms per face")
        }
        let layers = layers ?? []
        let total = layers.reduce(0) { $0 + $1.msPerFace }
        let nameWidth = layers.map { $0.name.count }.max() ?? 0
        let classWidth = layers.map { $0.className.count }.max() ?? 0
        for row in layers {
            let name = row.name + String(repeating: " ", count: nameWidth - row.name.count)
            let className = row.className + String(repeating: " ", count: classWidth - row.className.count)
            let share = total > 0 ? 100 * row.msPerFace / total : 0
            lines.append("  \(name)  \(className)  \(NumberFormat.fixed(row.msPerFace, 4, width: 8)) ms per face  "
                         + "\(NumberFormat.fixed(share, 1, width: 5))%")
        }
        return lines.joined(separator: "\n")
    }
}

extension ModelBenchmarkReport {
    enum CodingKeys: String, CodingKey {
        case model, threads, batch, msPerFace = "ms_per_face", gflops, mflopPerFace = "mflop_per_face", runs
        case flipAverage = "flip_average", passesPerFace = "passes_per_face"
        case msPerClassifiedFace = "ms_per_classified_face", layers
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(threads, forKey: .threads)
        try c.encode(batch, forKey: .batch)
        try c.encode(msPerFace, forKey: .msPerFace)
        try c.encode(gflops, forKey: .gflops)
        try c.encode(mflopPerFace, forKey: .mflopPerFace)
        try c.encode(runs, forKey: .runs)
        try c.encode(flipAverage, forKey: .flipAverage)
        try c.encode(passesPerFace, forKey: .passesPerFace)
        try c.encodeIfPresent(msPerClassifiedFace, forKey: .msPerClassifiedFace)
        try c.encodeIfPresent(layers, forKey: .layers)
    }
}
