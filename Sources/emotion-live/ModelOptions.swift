import ArgumentParser
import EmotionPipeline
import FoundationEssentials
import Glibc
import KerasEngine

extension InputScale: ExpressibleByArgument {}

/// What a model's outputs mean and how it wants its pixels, where the sidecar file is wrong or
/// missing: shared by the commands that take `--model` (`ModelOptions`) and by `inspect`,
/// which takes the model as its argument.
struct ModelMetadataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The model's class labels in output order, comma-separated (overrides the sidecar file), e.g. angry,disgust,fear,happy,sad,surprise,neutral.",
        valueName: "labels"))
    var labels: String?

    @Option(name: .long, help: ArgumentHelp(
        "How the model expects pixels scaled: unit (x/255), signed ((x/255-0.5)*2) or raw (x). Overrides the sidecar file.",
        valueName: "scale"))
    var inputScale: InputScale?

    /// Loads the model at `path` and resolves its metadata (sidecar, then these flags).
    func load(path: String, flipAverage: Bool? = nil) throws -> (KerasModel, ModelMetadata) {
        let network = try KerasModel.load(path: path)
        for warning in network.warnings { fputs("emotion-live: warning: \(warning)\n", stderr) }
        let labelList = labels.map { $0.split(separator: ",").map { $0.trimmingWhitespace() } }
        let metadata = try ModelMetadata.resolve(
            modelPath: path, classCount: network.outputCount,
            labels: labelList, inputScale: inputScale, flipAverage: flipAverage)
        return (network, metadata)
    }
}

/// The options every command that loads a model shares: which model, and what its outputs mean.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Keras .h5 model file (default: the bundled model).", valueName: "path"))
    var model: String?

    @OptionGroup var metadata: ModelMetadataOptions

    /// The model path in force: the flag, else the bundled model.
    func resolvedModelPath() throws -> String {
        if let model { return model }
        guard let bundled = BundledModel.locate() else {
            throw CLIError.noBundledModel
        }
        return bundled
    }

    /// Loads the model and resolves its metadata (sidecar, then flags).
    func load(flipAverage: Bool? = nil) throws -> (KerasModel, ModelMetadata) {
        try metadata.load(path: try resolvedModelPath(), flipAverage: flipAverage)
    }
}
