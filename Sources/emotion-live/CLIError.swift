import EmotionPipeline

/// A failure of the command line itself, not of the library: reported in one line by
/// `reportingFailures`.
enum CLIError: Error, CustomStringConvertible {
    /// No `--model`, and the bundled model is in none of the places looked in.
    case noBundledModel

    var description: String {
        switch self {
        case .noBundledModel:
            return "cannot find the bundled model \(BundledModel.fileName) (looked beside the binary and in ./models); give one with --model or set \(BundledModel.environmentVariable)"
        }
    }
}
