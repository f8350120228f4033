/// The most probable of a model's outputs: which one, its label and its probability. The one
/// place a prediction is picked, for the pipeline's faces, `evaluate`'s rows and `infer`'s
/// samples alike.
public struct Prediction: Equatable, Sendable {
    /// The output's index; the first of equal largest values, as numpy's argmax (0 for none).
    public let index: Int
    /// Its label, "classN" past the end of the labels.
    public let label: String
    /// Its probability (0 for no outputs).
    public let confidence: Float

    public init(probabilities: [Float], labels: [String]) {
        index = Self.argmax(probabilities)
        label = labels.indices.contains(index) ? labels[index] : "class\(index)"
        confidence = probabilities.isEmpty ? 0 : probabilities[index]
    }

    /// Index of the largest value; the first one on ties, as numpy's argmax (0 when empty).
    public static func argmax(_ values: [Float]) -> Int {
        var best = 0
        for k in values.indices where values[k] > values[best] { best = k }
        return best
    }
}
