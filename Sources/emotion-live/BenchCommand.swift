import ArgumentParser
import EmotionPipeline

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the engine's speed (ms per face, GFLOP/s), or with --video the pipeline's frame rate.",
        discussion: """
        Warms up, then times repeated runs on seeded random input and reports the median. \
        With --threads N, the batch is split across N threads, each with its own session. \
        Times on a shared machine drift: compare models as ratios measured in one run. \
        Then times a face's whole classification as the pipeline pays it: with the model's \
        flip averaging, two passes and the averaging (one thread). JSON keys: model, threads, \
        batch, ms_per_face (one pass), gflops, mflop_per_face, runs, flip_average, \
        passes_per_face, ms_per_classified_face, and with --layers, layers.

        With --video CLIP: runs OpenCV decode + full-frame Haar (--scale-factor, --min-neighbors \
        and --min-face: by default 1.3, 5 and 0) alone and the headless pipeline (default \
        settings, or the detector's flags), \
        alternately, --repeat times each, and reports both frame rates (medians), their ratio \
        (the median of each round's ratio) and the pipeline's recall: the share of full-frame \
        Haar's faces it also finds (same face: IoU >= 0.3), and the detector's own time per frame \
        at the clip's resolution (the detector alone on decoded frames; with yunet or mtcnn, \
        Haar's too). JSON keys: video, frames, haar_fps, pipeline_fps, ratio, recall, haar_faces, \
        pipeline_faces, matched_faces, detect_every, detect_scale, runs, model, detector, \
        detector_ms_per_frame, detector_width, detector_height; with yunet or mtcnn, \
        haar_pipeline_fps and haar_detector_ms_per_frame; with yunet, yunet_shrink_ms, \
        yunet_network_ms, yunet_decode_ms.
        """
    )

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: "Worker threads.")
    var threads: Int = 1

    @Option(name: .long, help: "Faces per engine call.")
    var batch: Int = 1

    @Option(name: .long, help: "Seconds of measurement (after one second of warm-up).")
    var seconds: Double = 2

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Flag(name: .long, help: "Also time each layer (one thread, thread CPU time, mean over repeated runs at --batch).")
    var layers = false

    @Option(name: .long, help: ArgumentHelp("Benchmark the pipeline on this video instead of the engine.", valueName: "clip"))
    var video: String?

    @Option(name: .long, help: ArgumentHelp("With --video: frames per pass (default: the whole clip).", valueName: "n"))
    var maxFrames: Int?

    @Option(name: .customLong("repeat"), help: ArgumentHelp("With --video: rounds of both passes.", valueName: "n"))
    var rounds: Int = 3

    @OptionGroup(title: "With --video: the pipeline's face detector (with mtcnn or yunet, the Haar pipeline is measured too)")
    var detectorFlags: DetectorFlags

    @OptionGroup(title: "With --video: the pipeline's face detector (with mtcnn or yunet, the Haar pipeline is measured too)")
    var search: FrameSearchFlags

    func validate() throws {
        try format.check(accepting: OutputFormat.reportFormats)
        if let maxFrames, maxFrames < 1 { throw ValidationError("--max-frames must be at least 1") }
        guard (1...100).contains(rounds) else { throw ValidationError("--repeat must be between 1 and 100") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be between 1 and 256") }
        guard (1...4096).contains(batch) else { throw ValidationError("--batch must be between 1 and 4096") }
        guard seconds > 0, seconds <= 600 else { throw ValidationError("--seconds must be in (0, 600]") }
    }

    func run() throws {
        try reportingFailures {
            // The clip is looked for before the model is loaded.
            let clip = try video.map {
                try VideoBenchmark(video: $0, cascadePath: detectorFlags.cascade, options: try detectorFlags.options(search: search),
                                   maxFrames: maxFrames, rounds: rounds)
            }
            let path = try modelOptions.resolvedModelPath()
            let (network, metadata) = try modelOptions.load()
            let report: any BenchmarkReport
            if let clip {
                report = try clip.measure(classifier: try EmotionClassifier(model: network, metadata: metadata, path: path),
                                          modelPath: path)
            } else {
                report = try ModelBenchmark(model: network, metadata: metadata, path: path, threads: threads, batch: batch,
                                            layers: layers).measure(seconds: seconds)
            }
            try StandardOutput().writeLines(format == .json ? jsonLine(report) : report.text)
        }
    }
}
