import FaceDetection
import FoundationEssentials

/// `emotion-live bench --video`: decode + full-frame Haar alone against the pipeline on one clip,
/// alternately, `rounds` times each, with the detector alone at the clip's resolution; with
/// YuNet or MTCNN, Haar's pipeline and detector too. Frame rates and times are the medians of
/// the rounds (each round's ratio, then their median), so a drift of the machine's speed during
/// the run touches both sides alike; faces and recall are the last round's.
public struct VideoBenchmark {
    public var video: String
    public var cascadePath: String?
    /// The pipeline's detector; Haar's figures use the same settings with `kind` `.haar`.
    public var options: DetectorOptions
    public var maxFrames: Int?
    public var rounds: Int

    /// Throws `PipelineError.sourceNotFound` when there is no file `video`.
    public init(video: String, cascadePath: String?, options: DetectorOptions, maxFrames: Int? = nil, rounds: Int) throws {
        guard FileManager.default.fileExists(atPath: video) else { throw PipelineError.sourceNotFound(path: video) }
        self.video = video
        self.cascadePath = cascadePath
        self.options = options
        self.maxFrames = maxFrames
        self.rounds = max(rounds, 1)
    }

    /// Runs the rounds with `classifier` (the model at `modelPath`, named in the report).
    public func measure(classifier: FaceClassifier, modelPath: String) throws -> VideoBenchmarkReport {
        var haarOptions = options
        haarOptions.kind = .haar
        let alsoHaar = options.kind != .haar
        var last = try round(classifier: classifier, haarOptions: alsoHaar ? haarOptions : nil)
        var measured = [last]
        for _ in 1..<rounds {
            last = try round(classifier: classifier, haarOptions: alsoHaar ? haarOptions : nil)
            measured.append(last)
        }
        let (matched, total) = DetectionBenchmark.matches(reference: last.haar.boxes, found: last.pipeline.boxes)
        return VideoBenchmarkReport(
            video: video, frames: last.haar.frames, model: modelPath, detector: options.kind,
            detectEvery: options.detectEvery, detectScale: options.detectScale, runs: rounds,
            haarFPS: median(measured.map(\.haar.framesPerSecond)),
            pipelineFPS: median(measured.map(\.pipeline.framesPerSecond)),
            ratio: median(measured.map(\.ratio)),
            haarFaces: total, pipelineFaces: last.pipeline.faces, matchedFaces: matched,
            detectorMsPerFrame: median(measured.map(\.detector.millisecondsPerFrame)),
            detectorWidth: last.detector.width, detectorHeight: last.detector.height,
            haarPipelineFPS: alsoHaar ? median(measured.compactMap(\.haarPipelineFPS)) : nil,
            haarDetectorMsPerFrame: alsoHaar ? median(measured.compactMap(\.haarDetectorMsPerFrame)) : nil,
            yunetTiming: last.detector.yunetTiming, mtcnnTiming: last.pipeline.mtcnnTiming)
    }

    /// One round's passes, in the order they have always run: the detector alone (and Haar's),
    /// decode + full-frame Haar, the pipeline (and Haar's).
    private struct Round {
        var detector: DetectionBenchmark.DetectorPass
        var haarDetectorMsPerFrame: Double?
        var haar: DetectionBenchmark.Pass
        var pipeline: DetectionBenchmark.Pass
        var haarPipelineFPS: Double?
        var ratio: Double { haar.framesPerSecond > 0 ? pipeline.framesPerSecond / haar.framesPerSecond : 0 }
    }

    /// `haarOptions`: Haar's settings when the pipeline's detector is another, whose figures
    /// are measured beside Haar's.
    private func round(classifier: FaceClassifier, haarOptions: DetectorOptions?) throws -> Round {
        let detector = try DetectionBenchmark.detectorAlone(video: video, cascadePath: cascadePath, options: options,
                                                            maxFrames: maxFrames)
        let haarDetector = try haarOptions.map {
            try DetectionBenchmark.detectorAlone(video: video, cascadePath: cascadePath, options: $0, maxFrames: maxFrames)
        }
        let haar = try DetectionBenchmark.haarAlone(video: video, cascadePath: cascadePath, options: options, maxFrames: maxFrames)
        let pipeline = try DetectionBenchmark.pipeline(video: video, classifier: classifier, cascadePath: cascadePath,
                                                       options: options, maxFrames: maxFrames)
        let haarPipeline = try haarOptions.map {
            try DetectionBenchmark.pipeline(video: video, classifier: classifier, cascadePath: cascadePath, options: $0,
                                            maxFrames: maxFrames)
        }
        return Round(detector: detector, haarDetectorMsPerFrame: haarDetector?.millisecondsPerFrame, haar: haar,
                     pipeline: pipeline, haarPipelineFPS: haarPipeline?.framesPerSecond)
    }

    /// The middle value (the upper one of an even count); 0 for none.
    private func median(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.sorted()[values.count / 2]
    }
}
