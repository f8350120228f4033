import ArgumentParser
import EmotionPipeline
import Foundation
import KerasEngine

extension OutputFormat: ExpressibleByArgument {}

/// The default command: `emotion-live [SOURCE]`.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Detect faces and their emotions in a camera, video or image (the default command).",
        discussion: """
        SOURCE is a camera index (default 0), a /dev/video* device, a video file or an image file. \
        In a window (the default), every face is boxed with its label and confidence; videos play \
        at their own frame rate and the program exits at their end; q or Esc quits; an image stays \
        until a key is pressed; a camera is shown mirrored. With --headless, one line per frame \
        goes to standard output, flushed each frame, as fast as frames can be processed.
        """
    )

    @Argument(help: ArgumentHelp("Camera index, /dev/video* device, video file or image file.", valueName: "source"))
    var source: String = "0"

    @Flag(name: .long, help: "No window: print each frame's emotions on standard output.")
    var headless = false

    @Option(name: .long, help: "Headless output format: text or jsonl (one JSON object per frame).")
    var format: OutputFormat = .text

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: ArgumentHelp(
        "Haar cascade XML (default: haarcascade_frontalface_default.xml from opencv-data).", valueName: "path"))
    var cascade: String?

    @Option(name: .long, help: ArgumentHelp("Stop after this many frames.", valueName: "n"))
    var maxFrames: Int?

    @Option(name: .long, help: "Haar detectMultiScale scale factor (> 1; smaller finds more faces, slower).")
    var scaleFactor: Double = 1.3

    @Option(name: .long, help: "Haar detectMultiScale minimum neighbours.")
    var minNeighbors: Int = 5

    @Option(name: .long, help: ArgumentHelp("Ignore faces smaller than this many pixels.", valueName: "px"))
    var minFace: Int = 0

    @Option(name: .long, help: ArgumentHelp(
        "Face crop relative to each detected box: top,bottom,left,right as fractions of the box; positive cuts in, negative widens (default -0.1,-0.1,-0.1,-0.1, FER-2013's framing).",
        valueName: "t,b,l,r"))
    var cropMargins: String?

    @Flag(name: .long, help: "Show the camera picture as it is, not mirrored.")
    var noMirror = false

    func validate() throws {
        if let maxFrames, maxFrames < 1 { throw ValidationError("--max-frames must be at least 1") }
        guard scaleFactor > 1, scaleFactor <= 4 else { throw ValidationError("--scale-factor must be in (1, 4]") }
        guard (0...100).contains(minNeighbors) else { throw ValidationError("--min-neighbors must be between 0 and 100") }
        guard (0...100_000).contains(minFace) else { throw ValidationError("--min-face must be between 0 and 100000") }
        _ = try margins()
    }

    /// `--crop-margins`, parsed; each fraction in [-0.5, 0.45], so a crop always keeps the box's middle.
    func margins() throws -> CropMargins {
        guard let cropMargins else { return .default }
        let parts = cropMargins.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4, parts.allSatisfy({ $0.map { (-0.5...0.45).contains($0) } ?? false }) else {
            throw ValidationError("--crop-margins takes four fractions top,bottom,left,right, each between -0.5 and 0.45")
        }
        return CropMargins(top: parts[0]!, bottom: parts[1]!, left: parts[2]!, right: parts[3]!)
    }

    func run() throws {
        try reportingFailures {
            let path = try modelOptions.resolvedModelPath()
            let (network, metadata) = try modelOptions.load()
            let classifier = try EmotionClassifier(model: network, metadata: metadata, path: path)
            let options = RunOptions(
                source: source, modelPath: path, metadata: metadata, cascadePath: cascade,
                maxFrames: maxFrames,
                detector: DetectorOptions(scaleFactor: scaleFactor, minNeighbors: minNeighbors, minFace: minFace),
                margins: try margins(), headless: headless, format: format, mirror: !noMirror)
            try runPipeline(options: options, classifier: classifier)
        }
    }
}
