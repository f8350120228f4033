import ArgumentParser
import EmotionPipeline

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarize a Keras .h5 model: layers, output shapes, parameters, FLOPs and metadata.",
        discussion: "Loads the model exactly as inference does, so a model that inspects cleanly will run."
    )

    @Argument(help: ArgumentHelp("The Keras .h5 model file.", valueName: "model"))
    var model: String

    @OptionGroup var metadata: ModelMetadataOptions

    @Option(name: .long, help: "Output format: text (a Keras-style table) or json.")
    var format: OutputFormat = .text

    func validate() throws { try format.check(accepting: OutputFormat.reportFormats) }

    func run() throws {
        try reportingFailures {
            let (network, metadata) = try metadata.load(path: model)
            let output = StandardOutput()
            switch format {
            case .json: try output.writeLine(jsonString(ModelSummaryText.jsonObject(network, metadata: metadata)))
            default: try output.writeLines(ModelSummaryText.render(network, metadata: metadata))
            }
        }
    }
}
