import ArgumentParser
import EmotionPipeline
import FoundationEssentials
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

    enum Format: String, ExpressibleByArgument, CaseIterable { case jsonl, text }

    @Option(name: .long, help: "Output format: jsonl (one JSON object per sample) or text.")
    var format: Format = .jsonl

    @Option(name: .long, help: "Samples per engine call.")
    var batch: Int = 32

    func validate() throws {
        guard batch >= 1, batch <= 4096 else { throw ValidationError("--batch must be between 1 and 4096") }
    }

    func run() throws {
        try reportingFailures {
            let options = try ModelOptions.parse(["--model", model])
            let (network, metadata) = try options.load()
            let array = try NPYArray(path: input)
            let sampleShape = network.inputShape
            let sampleSize = sampleShape.reduce(1, *)
            let count: Int
            if array.shape.count == sampleShape.count + 1, Array(array.shape.dropFirst()) == sampleShape {
                count = array.shape[0]
            } else if array.shape == sampleShape {
                count = 1
            } else {
                throw NPYError.shapeMismatch(file: input, found: array.shape, expected: sampleShape)
            }
            let session = network.makeSession(maxBatch: batch)
            var output = [Float](repeating: 0, count: batch * network.outputCount)
            var start = 0
            while start < count {
                let size = min(batch, count - start)
                array.values.withUnsafeBufferPointer { values in
                    output.withUnsafeMutableBufferPointer { out in
                        session.run(UnsafeBufferPointer(rebasing: values[(start * sampleSize)..<((start + size) * sampleSize)]),
                                    batch: size, into: out)
                    }
                }
                for k in 0..<size {
                    let probabilities = Array(output[(k * network.outputCount)..<((k + 1) * network.outputCount)])
                    switch format {
                    case .jsonl:
                        emit("{\"probabilities\": [" + probabilities.map { "\($0)" }.joined(separator: ", ") + "]}")
                    case .text:
                        let best = FER2013Evaluator.argmax(probabilities)
                        let label = metadata.labels.indices.contains(best) ? metadata.labels[best] : "class\(best)"
                        emit("sample \(start + k): \(label) " + NumberFormat.fixed(Double(probabilities[best]), 4))
                    }
                }
                start += size
            }
        }
    }
}
