import ArgumentParser
import Dispatch
import EmotionPipeline
import FoundationEssentials
import Glibc
import KerasEngine

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
        if let video { return try runVideo(video) }
        try reportingFailures {
            let (network, metadata) = try modelOptions.load()
            let output = StandardOutput()
            let result = EngineBenchmark(model: network, threads: threads, batch: batch).measure(seconds: seconds)
            let path = try modelOptions.resolvedModelPath()
            // A face's whole cost in the classifier (one thread): with flip averaging, two passes.
            // Not for a model the classifier cannot take (not an H x W x 1 or 3 image to labels).
            let classifier = try? EmotionClassifier(model: network, metadata: metadata, path: path, maxBatch: batch)
            let classified = try classifier.map { try ClassifierBenchmark(classifier: $0, faces: batch).measure(seconds: seconds) }
            let passes = metadata.flipAverage ? 2 : 1
            let profile = layers ? EngineBenchmark(model: network, threads: 1, batch: batch).profile(seconds: seconds) : []
            let total = profile.reduce(0) { $0 + $1.milliseconds }
            switch format {
            case .json:
                var object: [String: Any] = [
                    "model": path, "threads": threads, "batch": batch,
                    "ms_per_face": result.msPerFace, "gflops": result.gflops,
                    "mflop_per_face": Double(network.flops) / 1e6, "runs": result.runs,
                    "flip_average": metadata.flipAverage, "passes_per_face": passes,
                ]
                if let classified { object["ms_per_classified_face"] = classified }
                if layers {
                    object["layers"] = profile.map { ["name": $0.name, "class": $0.className, "ms_per_face": $0.milliseconds / Double(batch)] }
                }
                try output.writeLine(jsonString(object))
            default:
                try output.writeLine("\(path): \(NumberFormat.fixed(result.msPerFace, 4)) ms per face, \(NumberFormat.fixed(result.gflops, 1)) GFLOP/s "
                     + "(\(NumberFormat.fixed(Double(network.flops) / 1e6, 1)) MFLOP per face; threads \(threads), batch \(batch), "
                     + "median of \(result.runs) runs)")
                if let classified {
                    try output.writeLine("  classified, \(passes == 2 ? "with flip averaging (2 passes)" : "one pass"), one thread: "
                         + "\(NumberFormat.fixed(classified, 4)) ms per face")
                }
                let nameWidth = profile.map { $0.name.count }.max() ?? 0
                let classWidth = profile.map { $0.className.count }.max() ?? 0
                for row in profile {
                    let name = row.name + String(repeating: " ", count: nameWidth - row.name.count)
                    let className = row.className + String(repeating: " ", count: classWidth - row.className.count)
                    let share = total > 0 ? 100 * row.milliseconds / total : 0
                    try output.writeLine("  \(name)  \(className)  \(NumberFormat.fixed(row.milliseconds / Double(batch), 4, width: 8)) ms per face  "
                         + "\(NumberFormat.fixed(share, 1, width: 5))%")
                }
            }
        }
    }
}

extension Bench {
    /// `--video`: decode + full-frame Haar alone against the pipeline, alternately.
    func runVideo(_ video: String) throws {
        try reportingFailures {
            guard FileManager.default.fileExists(atPath: video) else { throw PipelineError.sourceNotFound(path: video) }
            let path = try modelOptions.resolvedModelPath()
            let (network, metadata) = try modelOptions.load()
            let classifier = try EmotionClassifier(model: network, metadata: metadata, path: path)
            let output = StandardOutput()
            let cascade = detectorFlags.cascade
            let options = try detectorFlags.options(search: search)
            var haarOptions = options
            haarOptions.kind = .haar
            let alsoHaar = options.kind != .haar
            var haarRates: [Double] = [], pipelineRates: [Double] = [], ratios: [Double] = [], haarPipelineRates: [Double] = []
            var reference: DetectionBenchmark.Pass?
            var found: DetectionBenchmark.Pass?
            var detectorMs: [Double] = [], haarDetectorMs: [Double] = []
            var detectorPass: DetectionBenchmark.DetectorPass?
            for _ in 0..<rounds {
                let alone = try DetectionBenchmark.detectorAlone(video: video, cascadePath: cascade, options: options, maxFrames: maxFrames)
                detectorMs.append(alone.millisecondsPerFrame)
                detectorPass = alone
                if alsoHaar {
                    haarDetectorMs.append(try DetectionBenchmark.detectorAlone(
                        video: video, cascadePath: cascade, options: haarOptions, maxFrames: maxFrames).millisecondsPerFrame)
                }
                let haar = try DetectionBenchmark.haarAlone(video: video, cascadePath: cascade, options: options,
                                                            maxFrames: maxFrames)
                let pipeline = try DetectionBenchmark.pipeline(video: video, classifier: classifier, cascadePath: cascade,
                                                               options: options, maxFrames: maxFrames)
                if alsoHaar {
                    haarPipelineRates.append(try DetectionBenchmark.pipeline(
                        video: video, classifier: classifier, cascadePath: cascade, options: haarOptions, maxFrames: maxFrames).framesPerSecond)
                }
                haarRates.append(haar.framesPerSecond)
                pipelineRates.append(pipeline.framesPerSecond)
                ratios.append(haar.framesPerSecond > 0 ? pipeline.framesPerSecond / haar.framesPerSecond : 0)
                reference = haar
                found = pipeline
            }
            let (matched, total) = DetectionBenchmark.matches(reference: reference!.boxes, found: found!.boxes)
            let timing = found!.mtcnnTiming
            func ms(_ seconds: Double, _ count: Int) -> Double { count > 0 ? 1000 * seconds / Double(count) : 0 }
            let recall = total > 0 ? Double(matched) / Double(total) : 1
            func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
            switch format {
            case .json:
                try output.writeLine(jsonString([
                    "video": video, "frames": reference!.frames, "haar_fps": median(haarRates),
                    "pipeline_fps": median(pipelineRates), "ratio": median(ratios), "recall": recall,
                    "haar_faces": total, "pipeline_faces": found!.faces, "matched_faces": matched,
                    "detect_every": search.detectEvery, "detect_scale": search.detectScale, "runs": rounds, "model": path,
                    "detector": options.kind.rawValue,
                    "detector_ms_per_frame": median(detectorMs), "detector_width": detectorPass!.width,
                    "detector_height": detectorPass!.height,
                ].merging(alsoHaar ? ["haar_pipeline_fps": median(haarPipelineRates),
                                      "haar_detector_ms_per_frame": median(haarDetectorMs)] : [:]) { $1 }
                 .merging(detectorPass!.yunetTiming.map { t in [
                    "yunet_shrink_ms": ms(t.shrinkSeconds, t.searches), "yunet_network_ms": ms(t.networkSeconds, t.searches),
                    "yunet_decode_ms": ms(t.decodeSeconds, t.searches),
                 ] } ?? [:]) { $1 }
                 .merging(timing.map { t in [
                    "mtcnn_whole_searches": t.searches, "mtcnn_pyramid_ms": ms(t.pyramidSeconds, t.searches),
                    "mtcnn_pnet_ms": ms(t.pnetSeconds, t.searches), "mtcnn_rnet_ms": ms(t.rnetSeconds, t.searches),
                    "mtcnn_onet_ms": ms(t.onetSeconds, t.searches), "mtcnn_follows": t.follows,
                    "mtcnn_follow_ms": ms(t.followSeconds, t.follows),
                    "mtcnn_refinds": t.refinds, "mtcnn_refind_ms": ms(t.refindSeconds, t.refinds),
                 ] } ?? [:]) { $1 } as [String: Any]))
            default:
                let scale = search.detectScale == search.detectScale.rounded() ? String(Int(search.detectScale)) : "\(search.detectScale)"
                let haarPipeline = alsoHaar ? " (Haar pipeline \(NumberFormat.fixed(median(haarPipelineRates), 1)) fps)" : ""
                try output.writeLine("\(video): decode + full-frame Haar alone \(NumberFormat.fixed(median(haarRates), 1)) fps, "
                     + "\(options.kind == .haar ? "pipeline" : "\(options.kind.rawValue) pipeline") \(NumberFormat.fixed(median(pipelineRates), 1)) fps: "
                     + "\(NumberFormat.fixed(median(ratios), 2))x\(haarPipeline); "
                     + "recall \(NumberFormat.fixed(recall, 4)) (\(matched) of \(total) faces; pipeline found \(found!.faces)); "
                     + "detect-every \(search.detectEvery), detect-scale \(scale); \(reference!.frames) frames, median of \(rounds) rounds")
                let alone = detectorPass!
                try output.writeLine("  detector alone at \(alone.width)x\(alone.height): \(options.kind.rawValue) "
                     + "\(NumberFormat.fixed(median(detectorMs), 2)) ms per frame"
                     + (alsoHaar ? ", haar \(NumberFormat.fixed(median(haarDetectorMs), 2)) ms per frame" : "")
                     + " (median of \(rounds) rounds; decoding not counted)")
                if let t = alone.yunetTiming {
                    let f = { (value: Double) in NumberFormat.fixed(value, 2) }
                    try output.writeLine("  yunet per search (\(t.searches), last round): shrink \(f(ms(t.shrinkSeconds, t.searches))) ms, "
                         + "network \(f(ms(t.networkSeconds, t.searches))) ms, decode + suppression \(f(ms(t.decodeSeconds, t.searches))) ms")
                }
                if let t = timing {
                    let f = { (value: Double) in NumberFormat.fixed(value, 1) }
                    try output.writeLine("  mtcnn per whole search (\(t.searches), last round): picture + pyramid \(f(ms(t.pyramidSeconds, t.searches))) ms, "
                         + "P-Net \(f(ms(t.pnetSeconds, t.searches))) ms, R-Net \(f(ms(t.rnetSeconds, t.searches))) ms, "
                         + "O-Net \(f(ms(t.onetSeconds, t.searches))) ms; per search around known faces (\(t.follows)): \(f(ms(t.followSeconds, t.follows))) ms; "
                         + "per lost face searched again (\(t.refinds)): \(f(ms(t.refindSeconds, t.refinds))) ms")
                }
            }
        }
    }
}
