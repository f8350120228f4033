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
        discussion: """
        Finds faces with OpenCV's Haar cascade and classifies each into seven emotions \
        (angry, disgusted, fearful, happy, neutral, sad, surprised) with a pure-Swift CNN \
        engine that reads Keras .h5 models. Without a subcommand, runs on SOURCE (default: \
        camera 0) and shows a window, or prints each frame's emotions with --headless.
        """,
        version: version,
        subcommands: [Run.self, Infer.self, Evaluate.self, Inspect.self, Bench.self, Serve.self],
        defaultSubcommand: Run.self
    )
}
