/// Scores a classifier on FER-2013 rows by meaning, not position: each model output is mapped to
/// a canonical emotion through its label, so models with other label orders or spellings
/// (mini-Xception's FER-code order, "disgust" for "disgusted") are scored correctly.
public struct FER2013Evaluator {
    /// The model's labels, in output order.
    public let labels: [String]
    private let outputIndex: [EmotionLabel: Int]

    public init(labels: [String], model: String) throws {
        self.labels = labels
        var index: [EmotionLabel: Int] = [:]
        for (k, label) in labels.enumerated() {
            if let emotion = EmotionLabel(spelling: label), index[emotion] == nil { index[emotion] = k }
        }
        for emotion in EmotionLabel.allCases where index[emotion] == nil {
            throw EvaluationError.emotionMissing(model: model, emotion: emotion.rawValue, labels: labels)
        }
        outputIndex = index
    }

    /// Runs `classify` over the reader's rows in batches and tallies the confusion matrix.
    /// `classify` receives the rows of one batch and returns one probability vector per row.
    public func evaluate(
        _ reader: FER2013Reader, batchSize: Int = 64,
        classify: ([FER2013Row]) throws -> [[Float]]
    ) throws -> ClassificationReport {
        var report = ClassificationReport(labels: labels)
        var batch: [FER2013Row] = []
        batch.reserveCapacity(batchSize)
        func flush() throws {
            guard !batch.isEmpty else { return }
            let outputs = try classify(batch)
            for (row, probabilities) in zip(batch, outputs) {
                report.record(trueClass: outputIndex[row.emotion]!, predictedClass: Self.argmax(probabilities))
            }
            batch.removeAll(keepingCapacity: true)
        }
        for row in reader {
            batch.append(row)
            if batch.count == batchSize { try flush() }
        }
        if let error = reader.error { throw error }
        try flush()
        guard report.n > 0 else { throw EvaluationError.noRows(file: reader.path) }
        return report
    }

    /// Index of the largest value; the first one on ties, as numpy's argmax.
    public static func argmax(_ values: [Float]) -> Int {
        var best = 0
        for k in values.indices where values[k] > values[best] { best = k }
        return best
    }
}

public enum EvaluationError: Error, CustomStringConvertible, Equatable {
    case emotionMissing(model: String, emotion: String, labels: [String])
    case noRows(file: String)

    public var description: String {
        switch self {
        case let .emotionMissing(model, emotion, labels):
            return "\(model): no output is labelled '\(emotion)' (labels: \(labels.joined(separator: ","))); give the model's labels with --labels"
        case let .noRows(file):
            return "\(file): no rows with the requested Usage"
        }
    }
}
