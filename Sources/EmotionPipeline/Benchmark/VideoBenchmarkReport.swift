import FaceDetection

/// What `VideoBenchmark` measured: `bench --video`'s report, as text lines or one JSON object
/// (its keys are `CodingKeys`; the detector's stages only for the detector that has them).
public struct VideoBenchmarkReport: BenchmarkReport, Equatable, Sendable {
    public var video: String
    /// Frames per pass (the last round's decode + full-frame Haar pass).
    public var frames: Int
    /// The emotion model's path.
    public var model: String
    /// The pipeline's detector.
    public var detector: DetectorKind
    public var detectEvery: Int
    public var detectScale: Double
    /// Rounds of every pass.
    public var runs: Int
    /// Medians over the rounds: decode + full-frame Haar alone, the pipeline, and the median of
    /// each round's ratio of the two.
    public var haarFPS: Double
    public var pipelineFPS: Double
    public var ratio: Double
    /// The last round's faces: full-frame Haar's, the pipeline's, and how many of Haar's the
    /// pipeline also found (IoU >= 0.3).
    public var haarFaces: Int
    public var pipelineFaces: Int
    public var matchedFaces: Int
    /// The detector alone at the clip's resolution (decoding not counted): the median over the
    /// rounds, and the frames' size.
    public var detectorMsPerFrame: Double
    public var detectorWidth: Int
    public var detectorHeight: Int
    /// With YuNet or MTCNN: Haar's pipeline and Haar's detector alone, measured beside it.
    public var haarPipelineFPS: Double?
    public var haarDetectorMsPerFrame: Double?
    /// The last round's stages: YuNet's when it is the detector (its pass alone), MTCNN's when
    /// it is (its pipeline pass).
    public var yunetTiming: YuNetTiming?
    public var mtcnnTiming: MTCNNTiming?

    /// The share of full-frame Haar's faces the pipeline also found (1 when Haar found none).
    public var recall: Double { haarFaces > 0 ? Double(matchedFaces) / Double(haarFaces) : 1 }

    /// `bench --video`'s text: the frame rates and recall, the detector alone, then the
    /// detector's stages when it has them.
    public var text: String {
        func fixed(_ value: Double, _ decimals: Int) -> String { NumberFormat.fixed(value, decimals) }
        let scale = detectScale == detectScale.rounded() ? String(Int(detectScale)) : "\(detectScale)"
        let haarPipeline = haarPipelineFPS.map { " (Haar pipeline \(fixed($0, 1)) fps)" } ?? ""
        var lines = [
            "\(video): decode + full-frame Haar alone \(fixed(haarFPS, 1)) fps, "
                + "\(detector == .haar ? "pipeline" : "\(detector.rawValue) pipeline") \(fixed(pipelineFPS, 1)) fps: "
                + "\(fixed(ratio, 2))x\(haarPipeline); "
                + "recall \(fixed(recall, 4)) (\(matchedFaces) of \(haarFaces) faces; pipeline found \(pipelineFaces)); "
                + "detect-every \(detectEvery), detect-scale \(scale); \(frames) frames, median of \(runs) rounds",
            "  detector alone at \(detectorWidth)x\(detectorHeight): \(detector.rawValue) "
                + "\(fixed(detectorMsPerFrame, 2)) ms per frame"
                + (haarDetectorMsPerFrame.map { ", haar \(fixed($0, 2)) ms per frame" } ?? "")
                + " (median of \(runs) rounds; decoding not counted)",
        ]
        if let t = yunetTiming {
            let f = { (seconds: Double) in fixed(Self.milliseconds(seconds, t.searches), 2) }
            lines.append("  yunet per search (\(t.searches), last round): shrink \(f(t.shrinkSeconds)) ms, "
                         + "network \(f(t.networkSeconds)) ms, decode + suppression \(f(t.decodeSeconds)) ms")
        }
        if let t = mtcnnTiming {
            let f = { (seconds: Double, count: Int) in fixed(Self.milliseconds(seconds, count), 1) }
            lines.append("  mtcnn per whole search (\(t.searches), last round): picture + pyramid \(f(t.pyramidSeconds, t.searches)) ms, "
                         + "P-Net \(f(t.pnetSeconds, t.searches)) ms, R-Net \(f(t.rnetSeconds, t.searches)) ms, "
                         + "O-Net \(f(t.onetSeconds, t.searches)) ms; per search around known faces (\(t.follows)): "
                         + "\(f(t.followSeconds, t.follows)) ms; "
                         + "per lost face searched again (\(t.refinds)): \(f(t.refindSeconds, t.refinds)) ms")
        }
        return lines.joined(separator: "\n")
    }

    /// Milliseconds per event (0 for none).
    static func milliseconds(_ seconds: Double, _ count: Int) -> Double {
        count > 0 ? 1000 * seconds / Double(count) : 0
    }
}

extension VideoBenchmarkReport {
    enum CodingKeys: String, CodingKey {
        case video, frames, model, detector, runs, ratio, recall
        case detectEvery = "detect_every", detectScale = "detect_scale"
        case haarFPS = "haar_fps", pipelineFPS = "pipeline_fps"
        case haarFaces = "haar_faces", pipelineFaces = "pipeline_faces", matchedFaces = "matched_faces"
        case detectorMsPerFrame = "detector_ms_per_frame", detectorWidth = "detector_width", detectorHeight = "detector_height"
        case haarPipelineFPS = "haar_pipeline_fps", haarDetectorMsPerFrame = "haar_detector_ms_per_frame"
        case yunetShrinkMs = "yunet_shrink_ms", yunetNetworkMs = "yunet_network_ms", yunetDecodeMs = "yunet_decode_ms"
        case mtcnnWholeSearches = "mtcnn_whole_searches", mtcnnPyramidMs = "mtcnn_pyramid_ms", mtcnnPNetMs = "mtcnn_pnet_ms"
        case mtcnnRNetMs = "mtcnn_rnet_ms", mtcnnONetMs = "mtcnn_onet_ms", mtcnnFollows = "mtcnn_follows"
        case mtcnnFollowMs = "mtcnn_follow_ms", mtcnnRefinds = "mtcnn_refinds", mtcnnRefindMs = "mtcnn_refind_ms"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(video, forKey: .video)
        try c.encode(frames, forKey: .frames)
        try c.encode(model, forKey: .model)
        try c.encode(detector.rawValue, forKey: .detector)
        try c.encode(runs, forKey: .runs)
        try c.encode(detectEvery, forKey: .detectEvery)
        try c.encode(detectScale, forKey: .detectScale)
        try c.encode(haarFPS, forKey: .haarFPS)
        try c.encode(pipelineFPS, forKey: .pipelineFPS)
        try c.encode(ratio, forKey: .ratio)
        try c.encode(recall, forKey: .recall)
        try c.encode(haarFaces, forKey: .haarFaces)
        try c.encode(pipelineFaces, forKey: .pipelineFaces)
        try c.encode(matchedFaces, forKey: .matchedFaces)
        try c.encode(detectorMsPerFrame, forKey: .detectorMsPerFrame)
        try c.encode(detectorWidth, forKey: .detectorWidth)
        try c.encode(detectorHeight, forKey: .detectorHeight)
        try c.encodeIfPresent(haarPipelineFPS, forKey: .haarPipelineFPS)
        try c.encodeIfPresent(haarDetectorMsPerFrame, forKey: .haarDetectorMsPerFrame)
        if let t = yunetTiming {
            try c.encode(Self.milliseconds(t.shrinkSeconds, t.searches), forKey: .yunetShrinkMs)
            try c.encode(Self.milliseconds(t.networkSeconds, t.searches), forKey: .yunetNetworkMs)
            try c.encode(Self.milliseconds(t.decodeSeconds, t.searches), forKey: .yunetDecodeMs)
        }
        if let t = mtcnnTiming {
            try c.encode(t.searches, forKey: .mtcnnWholeSearches)
            try c.encode(Self.milliseconds(t.pyramidSeconds, t.searches), forKey: .mtcnnPyramidMs)
            try c.encode(Self.milliseconds(t.pnetSeconds, t.searches), forKey: .mtcnnPNetMs)
            try c.encode(Self.milliseconds(t.rnetSeconds, t.searches), forKey: .mtcnnRNetMs)
            try c.encode(Self.milliseconds(t.onetSeconds, t.searches), forKey: .mtcnnONetMs)
            try c.encode(t.follows, forKey: .mtcnnFollows)
            try c.encode(Self.milliseconds(t.followSeconds, t.follows), forKey: .mtcnnFollowMs)
            try c.encode(t.refinds, forKey: .mtcnnRefinds)
            try c.encode(Self.milliseconds(t.refindSeconds, t.refinds), forKey: .mtcnnRefindMs)
        }
    }
}
