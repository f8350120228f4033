import ArgumentParser
import EmotionPipeline
import FoundationEssentials
import Glibc
import KerasEngine


/// The default command: `emotion-live [SOURCE]`.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Detect faces and their emotions in a camera, video or image (the default command).",
        discussion: """
        SOURCE is a camera index (default 0), a /dev/video* device, a video file, an image file, \
        a directory of images (read in name order; unreadable files are reported on stderr \
        and skipped), or a network URL: rtsp://, rtsps://, http(s):// (a file or HLS), udp://, \
        srt://, rtmp://. A live stream is read like a camera and reconnects when it drops (said \
        once per outage on stderr); a remote file like a local one. Credentials in a URL \
        (rtsp://user:pass@host) are shown as *** everywhere. In a window (the default), every face is boxed with its id, label and \
        confidence, with a bar per emotion beside it; videos play at their own frame rate and the \
        program exits at their end; space pauses, s saves a snapshot PNG in the current \
        directory, q or Esc quits; an image stays until a key is pressed; a camera is shown \
        mirrored. With --headless, results go to standard output (text, jsonl or csv), flushed \
        each frame, as fast as frames can be processed.

        Each face gets an id that stays with it from frame to frame (ids are never reused in a \
        run). --smooth averages each face's probabilities over time (on by default in a window, \
        0.5 s; off by default with --headless, which prints raw per-frame data). On a terminal, \
        a progress line for files is shown on stderr.

        Ctrl-C (SIGINT) or SIGTERM ends the run after the frame in progress: the output is \
        flushed, --output and --timeline files are finalized with every frame done, the summary \
        is printed, and the exit status is 130 or 143 (a second signal ends the program at \
        once). A closed standard output (emotion-live clip --headless | head -1) ends the run \
        the same way, quietly, with status 0.
        """
    )

    @Argument(help: ArgumentHelp("Camera index, /dev/video* device, video file, image file, directory of images or network URL (rtsp://, http(s)://, udp://, srt://).", valueName: "source"))
    var source: String = "0"

    @Flag(name: .long, help: "No window: print each frame's emotions on standard output.")
    var headless = false

    @Option(name: .long, help: ArgumentHelp(
        "Headless output format: text, jsonl (one JSON object per frame, with face ids, and \"source\" for images) or csv (one row per face: frame,time,face,x,y,w,h,label,confidence, then one column per label).",
        valueName: "text|jsonl|csv"))
    var format: OutputFormat = .text

    @Option(name: .long, help: ArgumentHelp(
        "Average each face's probabilities over this many seconds (exponential moving average; the label follows the average). 0 turns it off. Default: 0.5 in a window, 0 with --headless.",
        valueName: "seconds"))
    var smooth: Double?

    @Flag(name: .long, help: "At the end, print each face's share of time in each emotion (stderr; a final {\"summary\": ...} line with --format jsonl).")
    var summary = false

    @Option(name: .long, help: ArgumentHelp(
        "Also write the annotated frames to this video file (.mp4 or .avi) at the source's frame rate and size.",
        valueName: "file"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp(
        "At the end, write a plot of each face's emotion probabilities over time to this PNG file.", valueName: "file"))
    var timeline: String?

    @Option(name: .long, help: ArgumentHelp(
        "With --headless: write the results to this file instead of standard output. It appears (by an atomic rename) only when the run reaches its end, so an interrupted run leaves no file under this name.",
        valueName: "file"))
    var results: String?

    @Flag(name: .long, help: "With --results: do nothing (exit 0) when the results file already exists, so a rerun over a list of sources does only the unfinished ones.")
    var skipExisting = false

    @Option(name: .long, help: ArgumentHelp("Camera: ask for this frame width (0: the driver's choice).", valueName: "px"))
    var width: Int = 0

    @Option(name: .long, help: ArgumentHelp("Camera: ask for this frame height (0: the driver's choice).", valueName: "px"))
    var height: Int = 0

    @Option(name: .long, help: ArgumentHelp("Camera: ask for this frame rate (0: the driver's choice).", valueName: "fps"))
    var fps: Double = 0

    @OptionGroup var modelOptions: ModelOptions

    @OptionGroup(title: "Network sources") var stream: StreamFlags

    @OptionGroup(title: "Face detector") var detectorFlags: DetectorFlags

    @OptionGroup(title: "Face detector") var search: FrameSearchFlags

    @Option(name: .long, help: ArgumentHelp("Stop after this many frames.", valueName: "n"))
    var maxFrames: Int?

    @Option(name: .long, help: ArgumentHelp(
        "Face crop relative to each detected box: top,bottom,left,right as fractions of the box; positive cuts in, negative widens (default -0.1,-0.1,-0.1,-0.1, FER-2013's framing).",
        valueName: "t,b,l,r"))
    var cropMargins: String?

    @Flag(name: .long, help: "Draw each face's five landmarks (with --detector yunet or mtcnn) in the window and in --output.")
    var landmarks = false

    @Flag(name: .long, help: "With --detector yunet or mtcnn: classify each face as cropped, without turning it so the eyes are level.")
    var noAlign = false

    @Flag(name: .long, help: "With --format csv: ten more columns, the landmarks' x and y (left_eye_x, left_eye_y, ... mouth_right_y; empty without landmarks).")
    var csvLandmarks = false

    @Flag(name: .long, help: "Show the camera picture as it is, not mirrored.")
    var noMirror = false

    func validate() throws {
        try format.check(accepting: OutputFormat.frameFormats)
        if results != nil, !headless { throw ValidationError("--results applies with --headless") }
        if skipExisting, results == nil { throw ValidationError("--skip-existing applies with --results FILE") }
        if let maxFrames, maxFrames < 1 { throw ValidationError("--max-frames must be at least 1") }
        if let smooth, !(0...60).contains(smooth) { throw ValidationError("--smooth must be between 0 and 60 seconds") }
        guard (0...10_000).contains(width), (0...10_000).contains(height) else {
            throw ValidationError("--width and --height must be between 0 and 10000")
        }
        guard (0...1000).contains(fps) else { throw ValidationError("--fps must be between 0 and 1000") }
        _ = try margins()
    }

    /// `--crop-margins`, parsed; each fraction in [-0.5, 0.45], so a crop always keeps the box's middle.
    func margins() throws -> CropMargins {
        guard let cropMargins else { return .default }
        guard let parts = numberList(cropMargins, count: 4, accepts: { (-0.5...0.45).contains($0) }) else {
            throw ValidationError("--crop-margins takes four fractions top,bottom,left,right, each between -0.5 and 0.45")
        }
        return CropMargins(top: parts[0], bottom: parts[1], left: parts[2], right: parts[3])
    }

    func run() throws {
        // First, before any other thread starts: SIGINT and SIGTERM become a request to stop
        // between frames (files finalized, summary printed, exit 130 or 143). SIGPIPE is
        // ignored so that a closed standard output (`| head`) is an EPIPE the pipeline sees and
        // ends the run on, quietly, instead of a death by signal.
        let stop = StopRequest()
        _ = SignalWatcher(stop: stop)
        signal(SIGPIPE, SIG_IGN)
        // Frame buffers get mappings of their own, so a long run's peak memory is a short one's.
        HeapPolicy.mapLargeBlocks()
        HeapPolicy.shareOneArena()
        if skipExisting, let results, ResultsFile.isFinished(results) {
            fputs("emotion-live: \(results) exists, skipped\n", stderr)
            return
        }
        try reportingFailures {
            let path = try modelOptions.resolvedModelPath()
            let (network, metadata) = try modelOptions.load()
            let classifier = try EmotionClassifier(model: network, metadata: metadata, path: path)
            var options = RunOptions(
                source: source, cascadePath: detectorFlags.cascade,
                maxFrames: maxFrames, detector: try detectorFlags.options(search: search),
                margins: try margins(), headless: headless, format: format, mirror: !noMirror,
                camera: CameraRequest(width: width, height: height, fps: fps), stream: stream.options,
                smoothSeconds: smooth, summary: summary, outputPath: output, timelinePath: timeline,
                resultsPath: results)
            options.drawLandmarks = landmarks
            options.align = !noAlign
            options.csvLandmarks = csvLandmarks
            let statistics = try runPipeline(options: options, classifier: classifier, stop: stop)
            if let reason = statistics.stopReason, reason.exitStatus != 0 { throw ExitCode(reason.exitStatus) }
        }
    }
}
