import ArgumentParser
import EmotionPipeline

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
            let outputs = try network.outputs(for: try NPYArray(path: input), file: input, maxBatch: batch)
            let output = StandardOutput()
            for (k, sample) in outputs.enumerated() {
                switch format {
                case .text:
                    let best = Prediction(probabilities: sample, labels: metadata.labels)
                    try output.writeLine("sample \(k): \(best.label) " + NumberFormat.fixed(Double(best.confidence), 4))
                default:
                    try output.writeLine("{\"probabilities\": [" + sample.map { "\($0)" }.joined(separator: ", ") + "]}")
                }
            }
        }
    }
}
