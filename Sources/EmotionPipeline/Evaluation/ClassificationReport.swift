import FoundationEssentials

/// Accuracy, per-class precision/recall/F1, macro F1 and the confusion matrix of a classifier
/// over labelled samples. Rows of `confusion` are true classes, columns predicted, both in the
/// order of `labels` (the model's output order).
public struct ClassificationReport: Equatable, Sendable {
    public struct ClassMetrics: Equatable, Sendable {
        public let label: String
        public let precision: Double
        public let recall: Double
        public let f1: Double
        /// How many samples truly belong to this class.
        public let support: Int
    }

    public let labels: [String]
    public private(set) var confusion: [[Int]]

    public init(labels: [String]) {
        self.labels = labels
        confusion = Array(repeating: Array(repeating: 0, count: labels.count), count: labels.count)
    }

    public mutating func record(trueClass: Int, predictedClass: Int) {
        confusion[trueClass][predictedClass] += 1
    }

    public var n: Int { confusion.reduce(0) { $0 + $1.reduce(0, +) } }

    public var correct: Int { labels.indices.reduce(0) { $0 + confusion[$1][$1] } }

    public var accuracy: Double { n == 0 ? 0 : Double(correct) / Double(n) }

    /// Precision and recall of a class with no predictions or no samples count as 0, as
    /// scikit-learn does with `zero_division=0`.
    public var perClass: [ClassMetrics] {
        labels.indices.map { k in
            let truePositives = Double(confusion[k][k])
            let support = confusion[k].reduce(0, +)
            let predicted = confusion.reduce(0) { $0 + $1[k] }
            let precision = predicted == 0 ? 0 : truePositives / Double(predicted)
            let recall = support == 0 ? 0 : truePositives / Double(support)
            let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
            return ClassMetrics(label: labels[k], precision: precision, recall: recall, f1: f1, support: support)
        }
    }

    /// Unweighted mean of the per-class F1 over classes that have samples.
    public var macroF1: Double {
        let present = perClass.filter { $0.support > 0 }
        return present.isEmpty ? 0 : present.map(\.f1).reduce(0, +) / Double(present.count)
    }
}

// MARK: - Rendering

extension ClassificationReport {
    /// The `evaluate --format json` object: accuracy, macro_f1, labels, per_class, confusion, n.
    public func jsonObject(extra: [String: Any] = [:]) -> [String: Any] {
        var perClassObject: [String: Any] = [:]
        for metrics in perClass {
            perClassObject[metrics.label] = [
                "precision": metrics.precision, "recall": metrics.recall,
                "f1": metrics.f1, "support": metrics.support,
            ]
        }
        var object: [String: Any] = [
            "accuracy": accuracy, "macro_f1": macroF1, "labels": labels,
            "per_class": perClassObject, "confusion": confusion, "n": n,
        ]
        for (key, value) in extra { object[key] = value }
        return object
    }

    /// A human-readable report: headline figures, a per-class table and the confusion matrix.
    public func text(title: String) -> String {
        var out = "\(title)\n"
        out += "accuracy  \(NumberFormat.fixed(accuracy, 4))  (\(correct) of \(n))\n"
        out += "macro F1  \(NumberFormat.fixed(macroF1, 4))\n\n"
        let width = max(9, (labels.map(\.count).max() ?? 0) + 1)
        func pad(_ text: String, _ size: Int) -> String {
            text.count >= size ? text : String(repeating: " ", count: size - text.count) + text
        }
        func padRight(_ text: String, _ size: Int) -> String {
            text.count >= size ? text : text + String(repeating: " ", count: size - text.count)
        }
        out += padRight("class", width) + pad("precision", 10) + pad("recall", 8) + pad("f1", 8) + pad("support", 9) + "\n"
        for metrics in perClass {
            out += padRight(metrics.label, width)
                + pad(NumberFormat.fixed(metrics.precision, 4), 10)
                + pad(NumberFormat.fixed(metrics.recall, 4), 8)
                + pad(NumberFormat.fixed(metrics.f1, 4), 8)
                + pad(String(metrics.support), 9) + "\n"
        }
        out += "\nconfusion (rows: true, columns: predicted)\n"
        let cell = max(6, (confusion.flatMap { $0 }.map { String($0).count }.max() ?? 0) + 1)
        out += padRight("", width) + labels.map { pad(String($0.prefix(cell - 1)), cell) }.joined() + "\n"
        for (k, row) in confusion.enumerated() {
            out += padRight(labels[k], width) + row.map { pad(String($0), cell) }.joined() + "\n"
        }
        return out
    }
}
