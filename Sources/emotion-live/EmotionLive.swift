import ArgumentParser
import FoundationEssentials

/// `emotion-live`: real-time facial emotion detection from a webcam, a video or an image.
/// The run command is the default, so `emotion-live clip.mp4 --headless` needs no subcommand.
@main
struct EmotionLive: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "emotion-live",
        abstract: "Real-time facial emotion detection from a webcam, a video or an image.",
        usage: """
        emotion-live [<source>] [<options>]
        emotion-live <subcommand> [<arguments>] [<options>]
        """,
        discussion: """
        Finds faces with one of three detectors, OpenCV's Haar cascade (the default), YuNet \
        (--detector yunet: one small CNN, every frame searched whole) or MTCNN (--detector mtcnn: \
        three small CNNs); both CNNs also find turned faces and give five landmarks each. It \
        classifies each face's emotion with a pure-Swift CNN engine that reads Keras \
        .h5 models (the bundled model's seven: angry, disgusted, fearful, happy, neutral, sad, \
        surprised). Without a subcommand it is the run command, with the run command's \
        arguments and options: runs on SOURCE (default: camera 0) and shows a window, or prints \
        each frame's emotions with --headless.
        """,
        version: version,
        subcommands: [Run.self, Infer.self, Evaluate.self, Inspect.self, Bench.self, Serve.self],
        defaultSubcommand: Run.self
    )

    /// The parser's own `main`, except where it would print the root's help: there the run
    /// command's options are shown too (`RootHelp`), since they are what `emotion-live` takes
    /// without a subcommand.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            guard let help = RootHelp.replacement(for: error) else { exit(withError: error) }
            print(help)
        }
    }
}
