import ArgumentParser
import EmotionPipeline
import FoundationEssentials
import KerasEngine

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score a model on Kaggle's FER-2013 CSV, against its labels or FER+'s votes: accuracy, per-class precision/recall/F1, confusion matrix.",
        discussion: """
        Reads emotion,pixels,Usage rows (codes 0 Angry, 1 Disgust, 2 Fear, 3 Happy, 4 Sad, \
        5 Surprise, 6 Neutral) and preprocesses each 48x48 face exactly as a live face is \
        preprocessed: resize to the model's input with INTER_AREA, grey copied into its \
        channels, the model's input scaling, flip averaging if the model's metadata asks for it. \
        Outputs are matched to emotions by label name, so models with any label order are scored \
        correctly; a label with no counterpart (contempt, against FER-2013's seven) counts as \
        wrong, and the report says how many rows that affected. The file is streamed; --data - \
        reads standard input (e.g. from zcat).
        """
    )

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: ArgumentHelp("FER-2013 CSV file, or - for standard input.", valueName: "csv"))
    var data: String

    @Option(name: .long, help: ArgumentHelp(
        "FER+ votes (10 annotators a face), row-aligned with --data: score against the majority under FER+'s protocol (rows with a tie, unknown or not-a-face on top left out) and report the annotators' mean share of each prediction.",
        valueName: "csv"))
    var votes: String?

    @Option(name: .long, help: "Rows to score: test (PublicTest + PrivateTest), public, private, training or all.")
    var usage: FER2013Usage = .test

    @Flag(name: .long, inversion: .prefixedNo, help: "Average each face's prediction with its mirror image's (default: the model's metadata).")
    var flipAverage: Bool?

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws { try format.check(accepting: OutputFormat.reportFormats) }

    func run() throws {
        try reportingFailures {
            let path = try modelOptions.resolvedModelPath()
            let (network, metadata) = try modelOptions.load(flipAverage: flipAverage)
            let classifier = try EmotionClassifier(model: network, metadata: metadata, path: path, maxBatch: FER2013Evaluator.batchSize)
            let evaluator = try FER2013Evaluator(labels: metadata.labels, model: path)
            let reader = try FER2013Reader(path: data, usage: usage)
            let ferPlus = try votes.map { try FERPlusVotes(path: $0) }
            let result = try evaluator.evaluate(reader, votes: ferPlus, classifier: classifier)
            let output = StandardOutput()
            switch format {
            case .json:
                try output.writeLine(jsonString(result.jsonObject(extra: [
                    "model": path, "data": data, "usage": usage.rawValue, "flip_average": metadata.flipAverage,
                ])))
            default:
                let truth = votes.map { ", truth: FER+ majority of \($0)" } ?? ""
                try output.writeLines(result.text(
                    title: "\(path) on \(data) (usage \(usage.rawValue), flip averaging \(metadata.flipAverage ? "on" : "off")\(truth))"))
            }
        }
    }
}

extension FER2013Usage: ExpressibleByArgument {}
