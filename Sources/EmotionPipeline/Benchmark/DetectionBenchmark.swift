import FaceDetection
import FoundationEssentials
import Glibc

/// `emotion-live bench --video`: the pipeline's frame rate against OpenCV decode + full-frame
/// Haar alone on the same clip, in the same run, and how many of full-frame Haar's faces the
/// pipeline still finds.
public enum DetectionBenchmark {
    /// One timed pass over a clip: the faces of every frame.
    public struct Pass {
        public var frames: Int
        public var seconds: Double
        public var boxes: [[FaceBox]]
        /// MTCNN's time per stage, when the pipeline ran it.
        public var mtcnnTiming: MTCNNTiming?
        public var framesPerSecond: Double { seconds > 0 ? Double(frames) / seconds : 0 }
        public var faces: Int { boxes.reduce(0) { $0 + $1.count } }
    }

    /// Decode and full-frame Haar (`options.exact`), one frame after the other on this thread,
    /// as a plain OpenCV loop does (`cap.read()`, `cvtColor`, `detectMultiScale`).
    public static func haarAlone(video: String, cascadePath: String?, options: DetectorOptions,
                                 maxFrames: Int? = nil) throws -> Pass {
        let detector = try HaarDetector(cascadePath: cascadePath, options: options.exact)
        let start = Date()
        let capture = try VideoCapture(filePath: video, decoder: .opencv)
        var boxes: [[FaceBox]] = []
        while maxFrames.map({ boxes.count < $0 }) ?? true, let item = try capture.read() {
            boxes.append(try detector.detectMultiScale(in: try item.image.grey()))
        }
        return Pass(frames: boxes.count, seconds: Date().timeIntervalSince(start), boxes: boxes, mtcnnTiming: nil)
    }

    /// The pipeline's detector stage alone, at the clip's resolution: frames decoded (grey when
    /// the detector does not look at colour, as the pipeline decodes them) and handed to the
    /// detector `makeFaceFinder` builds from `options`, in order (so Haar and MTCNN keep their
    /// cadence of whole searches and following); only its calls are timed.
    public struct DetectorPass {
        public var frames: Int
        public var seconds: Double
        public var width: Int
        public var height: Int
        public var faces: Int
        /// YuNet's time per stage, when the detector is YuNet.
        public var yunetTiming: YuNetTiming?
        public var millisecondsPerFrame: Double { frames > 0 ? 1000 * seconds / Double(frames) : 0 }
    }

    public static func detectorAlone(video: String, cascadePath: String?, options: DetectorOptions,
                                     maxFrames: Int? = nil) throws -> DetectorPass {
        let finder = try makeFaceFinder(options: options, cascadePath: cascadePath)
        let capture = try VideoCapture(filePath: video)
        if !finder.needsColour { capture.deliverGrey() }
        var pass = DetectorPass(frames: 0, seconds: 0, width: 0, height: 0, faces: 0, yunetTiming: nil)
        while maxFrames.map({ pass.frames < $0 }) ?? true, let item = try capture.read() {
            let start = MonotonicClock.now()
            pass.faces += try finder.faces(in: item.image).count
            pass.seconds += MonotonicClock.now() - start
            pass.frames += 1
            (pass.width, pass.height) = (item.image.width, item.image.height)
        }
        pass.yunetTiming = (finder as? YuNetFrameDetector)?.detector.timing
        return pass
    }

    /// The pipeline as `emotion-live CLIP --headless --format jsonl` runs it, assembled by the
    /// same function (output discarded).
    public static func pipeline(video: String, classifier: FaceClassifier, cascadePath: String?,
                                options: DetectorOptions, margins: CropMargins = .default,
                                maxFrames: Int? = nil) throws -> Pass {
        let start = Date()
        let collector = BoxCollector()
        let run = RunOptions(source: video, cascadePath: cascadePath, maxFrames: maxFrames, detector: options,
                             margins: margins, headless: true, format: .jsonl, progress: false)
        let assembled = try assemblePipeline(options: run, classifier: classifier, output: DiscardedOutput(),
                                             diagnostics: DiscardedOutput(), extraSinks: [collector])
        let statistics = try assembled.run(maxFrames: maxFrames)
        return Pass(frames: statistics.frames, seconds: Date().timeIntervalSince(start), boxes: collector.boxes,
                    mtcnnTiming: (assembled.pipeline.finder as? MTCNNFrameDetector)?.detector.timing)
    }

    /// How many of `reference`'s boxes have a box in `found` on the same frame with IoU >=
    /// `threshold` (each found box matched once, best overlap first).
    public static func matches(reference: [[FaceBox]], found: [[FaceBox]], threshold: Double = 0.3)
        -> (matched: Int, total: Int) {
        var matched = 0, total = 0
        for (i, wanted) in reference.enumerated() {
            total += wanted.count
            guard i < found.count else { continue }
            var pairs: [(iou: Double, a: Int, b: Int)] = []
            for (a, r) in wanted.enumerated() {
                for (b, f) in found[i].enumerated() {
                    let iou = r.intersectionOverUnion(f)
                    if iou >= threshold { pairs.append((iou, a, b)) }
                }
            }
            var usedA = Set<Int>(), usedB = Set<Int>()
            for pair in pairs.sorted(by: { $0.iou > $1.iou }) where !usedA.contains(pair.a) && !usedB.contains(pair.b) {
                usedA.insert(pair.a)
                usedB.insert(pair.b)
                matched += 1
            }
        }
        return (matched, total)
    }

    /// The share of `reference`'s faces found (1 when there are none).
    public static func recall(reference: [[FaceBox]], found: [[FaceBox]], threshold: Double = 0.3) -> Double {
        let (matched, total) = matches(reference: reference, found: found, threshold: threshold)
        return total > 0 ? Double(matched) / Double(total) : 1
    }

    private final class BoxCollector: FrameSink {
        var boxes: [[FaceBox]] = []
        func consume(_ result: FrameResult, frame: Frame) throws -> Bool {
            boxes.append(result.faces.map(\.box))
            return true
        }
    }

    private final class DiscardedOutput: LineOutput {
        func writeLine(_ line: String) throws {}
    }
}
