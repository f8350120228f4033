import ArgumentParser
import EmotionPipeline
import KerasEngine

struct Infer: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the engine on a NumPy .npy array of preprocessed inputs.",
        discussion: """
        INPUT is a float32 (or float64) .npy array of shape (N, H, W, C), or (H, W, C) for one \
        sample, already scaled as the model expects. Prints one line per sample with the \
        model's outputs in its own order: {"probabilities": [...]}.
        """
    )

    @Argument(help: ArgumentHelp("The Keras .h5 model file.", valueName: "model"))
    var model: String

    @Argument(help: ArgumentHelp("The .npy input array.", valueName: "input"))
    var input: String

    @OptionGroup var metadata: ModelMetadataOptions

    @Option(name: .long, help: "Output format: jsonl (one JSON object per sample) or text.")
    var format: OutputFormat = .jsonl

    @Option(name: .long, help: "Samples per engine pass (the session's largest batch).")
    var batch: Int = 32

    func validate() throws {
        try format.check(accepting: OutputFormat.sampleFormats)
        guard batch >= 1, batch <= 4096 else { throw ValidationError("--batch must be between 1 and 4096") }
    }

    func run() throws {
        try reportingFailures {
            let (network, metadata) = try metadata.load(path: model)
            let array = try NPYArray(path: input)
            let sampleShape = network.inputShape
            let count: Int
            if array.shape.count == sampleShape.count + 1, Array(array.shape.dropFirst()) == sampleShape {
                count = array.shape[0]
            } else if array.shape == sampleShape {
                count = 1
            } else {
                throw NPYError.shapeMismatch(file: input, found: array.shape, expected: sampleShape)
            }
            // The session splits the samples into passes of at most `batch`.
            let probabilities = network.makeSession(maxBatch: batch).predict(array.values, batch: count)
            let output = StandardOutput()
            let classes = network.outputCount
            for k in 0..<count {
                let sample = Array(probabilities[(k * classes)..<((k + 1) * classes)])
                switch format {
                case .text:
                    let best = FER2013Evaluator.argmax(sample)
                    let label = metadata.labels.indices.contains(best) ? metadata.labels[best] : "class\(best)"
                    try output.writeLine("sample \(k): \(label) " + NumberFormat.fixed(Double(sample[best]), 4))
                default:
                    try output.writeLine("{\"probabilities\": [" + sample.map { "\($0)" }.joined(separator: ", ") + "]}")
                }
            }
        }
    }
}
