/// Scores a classifier on FER-2013 rows by meaning, not position: each model output is mapped to
/// an emotion through its label, so models with other label orders or spellings (mini-Xception's
/// FER-code order, "disgust" for "disgusted") are scored correctly. The truth is FER-2013's label,
/// or with `FERPlusVotes` the FER+ annotators' majority. A truth the model has no output for
/// (contempt, for a 7-class model on FER+), or a prediction the data never gives as truth
/// (contempt, for an 8-class model on FER-2013's labels), counts as wrong, and is counted.
public struct FER2013Evaluator {
    /// The model's labels, in output order.
    public let labels: [String]
    private let emotions: [EmotionLabel?]

    public init(labels: [String], model: String) throws {
        self.labels = labels
        emotions = labels.map(EmotionLabel.init(spelling:))
        guard emotions.contains(where: { $0 != nil }) else {
            throw EvaluationError.noEmotionLabels(model: model, labels: labels)
        }
    }

    /// Rows classified at once, unless asked otherwise: `evaluate`'s classifier is made for it.
    public static let batchSize = 64

    /// Runs `classify` over the reader's rows in batches and tallies the confusion matrix.
    /// `classify` receives the rows of one batch and returns one probability vector per row.
    public func evaluate(
        _ reader: FER2013Reader, votes: FERPlusVotes? = nil, batchSize: Int = FER2013Evaluator.batchSize,
        classify: ([FER2013Row]) throws -> [[Float]]
    ) throws -> FER2013Evaluation {
        let truthSet = votes == nil ? EmotionLabel.canonicalOrder : FERPlusVotes.emotions
        // The confusion matrix's classes: the model's outputs, then the truths it has none for.
        var classes = labels
        var truthClass: [EmotionLabel: Int] = [:]
        for emotion in truthSet {
            if let k = emotions.firstIndex(of: emotion) {
                truthClass[emotion] = k
            } else {
                truthClass[emotion] = classes.count
                classes.append(emotion.rawValue)
            }
        }
        var result = FER2013Evaluation(report: ClassificationReport(labels: classes), votes: votes?.path)
        var shareSum = 0.0
        var batch: [(row: FER2013Row, truth: EmotionLabel, trueClass: Int)] = []
        batch.reserveCapacity(batchSize)
        func flush() throws {
            guard !batch.isEmpty else { return }
            let outputs = try classify(batch.map(\.row))
            for ((row, truth, trueClass), probabilities) in zip(batch, outputs) {
                let predicted = Prediction.argmax(probabilities)
                result.report.record(trueClass: trueClass, predictedClass: predicted)
                if trueClass >= labels.count { result.truthWithoutOutput[truth.rawValue, default: 0] += 1 }
                let emotion = emotions[predicted]
                if emotion.map({ !truthSet.contains($0) }) ?? true {
                    result.predictionWithoutTruth[labels[predicted], default: 0] += 1
                }
                if let votes { shareSum += votes.share(of: emotion, row: row.index) }
            }
            batch.removeAll(keepingCapacity: true)
        }
        for row in reader {
            let truth: EmotionLabel?
            if let votes {
                guard row.index < votes.rowCount else {
                    throw FERPlusVotesError.rowCountMismatch(file: votes.path, votes: votes.rowCount, data: reader.path,
                                                             rows: row.index + 1)
                }
                truth = votes.majority(row: row.index)
            } else {
                truth = row.emotion
            }
            // Every truth the data gives is in truthSet, which truthClass maps whole; one that
            // were not would have no class to be counted in, and is left out like a row
            // without a truth.
            guard let truth, let trueClass = truthClass[truth] else {
                result.leftOut += 1
                continue
            }
            batch.append((row, truth, trueClass))
            if batch.count == batchSize { try flush() }
        }
        if let error = reader.error { throw error }
        try flush()
        if let votes, reader.rowsRead != votes.rowCount {
            throw FERPlusVotesError.rowCountMismatch(file: votes.path, votes: votes.rowCount, data: reader.path,
                                                     rows: reader.rowsRead)
        }
        guard result.report.n > 0 else { throw EvaluationError.noRows(file: reader.path) }
        if votes != nil { result.voteShare = shareSum / Double(result.report.n) }
        return result
    }
}

/// What `FER2013Evaluator` measured: the classification report over the model's classes (and
/// any truth it has no output for), with FER+'s extra figures when scored against votes.
public struct FER2013Evaluation: Sendable {
    public var report: ClassificationReport
    /// The votes file, when the truth is FER+'s majority.
    public var votes: String?
    /// Rows of the requested usage left out: FER+ rows with no majority (a tie, unknown or
    /// not-a-face on top, no votes).
    public var leftOut = 0
    /// Rows whose truth the model has no output for, by truth label: each counts as wrong.
    public var truthWithoutOutput: [String: Int] = [:]
    /// Rows predicted as a label the data never gives as truth, by model label: each is wrong.
    public var predictionWithoutTruth: [String: Int] = [:]
    /// FER+: the mean share of a row's annotators who chose the predicted label.
    public var voteShare: Double?

    public init(report: ClassificationReport, votes: String? = nil) {
        self.report = report
        self.votes = votes
    }

    /// The `evaluate --format json` object: the report's keys, and with votes `votes`,
    /// `vote_share` and `left_out`; `no_counterpart` whenever a label had none.
    public func jsonObject(extra: [String: Any] = [:]) -> [String: Any] {
        var object = report.jsonObject(extra: extra)
        if let votes {
            object["votes"] = votes
            object["left_out"] = leftOut
            object["vote_share"] = voteShare ?? 0
        }
        if !truthWithoutOutput.isEmpty || !predictionWithoutTruth.isEmpty {
            object["no_counterpart"] = ["truth_without_output": truthWithoutOutput,
                                        "prediction_without_truth": predictionWithoutTruth]
        }
        return object
    }

    /// The text report, with the FER+ figures and the rows a missing counterpart made wrong.
    public func text(title: String) -> String {
        var out = report.text(title: title)
        if let voteShare {
            out += "\nannotator share of the prediction  \(NumberFormat.fixed(voteShare, 4))"
            out += "\nrows left out (no FER+ majority)  \(leftOut)\n"
        }
        for (label, count) in truthWithoutOutput.sorted(by: { $0.key < $1.key }) {
            out += "\n\(count) rows are truly \(label), which the model has no output for: counted wrong"
        }
        for (label, count) in predictionWithoutTruth.sorted(by: { $0.key < $1.key }) {
            out += "\n\(count) rows predicted \(label), which the data never gives as truth: counted wrong"
        }
        return out.hasSuffix("\n") ? out : out + "\n"
    }
}

public enum EvaluationError: Error, CustomStringConvertible, Equatable {
    case noEmotionLabels(model: String, labels: [String])
    case noRows(file: String)

    public var description: String {
        switch self {
        case let .noEmotionLabels(model, labels):
            return "\(model): no output is labelled with an emotion (labels: \(labels.joined(separator: ","))); give the model's labels with --labels"
        case let .noRows(file):
            return "\(file): no rows with the requested Usage"
        }
    }
}

extension FER2013Evaluator {
    /// Scores `classifier`, each 48x48 row preprocessed exactly as a live face is (resized to the
    /// model's input with INTER_AREA, its scaling, flip averaging as its metadata says).
    public func evaluate(_ reader: FER2013Reader, votes: FERPlusVotes? = nil,
                         classifier: EmotionClassifier) throws -> FER2013Evaluation {
        let batchSize = classifier.maxBatch
        let preprocessor = classifier.makePreprocessor()
        let perFace = preprocessor.floatsPerFace
        let side = FER2013Reader.side
        var faces = [Float](repeating: 0, count: batchSize * perFace)
        return try evaluate(reader, votes: votes, batchSize: batchSize) { rows in
            try faces.withUnsafeMutableBufferPointer { buffer in
                for (k, row) in rows.enumerated() {
                    let slot = UnsafeMutableBufferPointer(rebasing: buffer[(k * perFace)..<((k + 1) * perFace)])
                    try row.pixels.withUnsafeBufferPointer {
                        try preprocessor.preprocess(greyPixels: $0, width: side, height: side, into: slot)
                    }
                }
                return try classifier.classify(UnsafeBufferPointer(buffer), count: rows.count)
            }
        }
    }
}
