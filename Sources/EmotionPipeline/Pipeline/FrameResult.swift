import FaceDetection

/// One classified face: where it is (source-frame pixels, never mirrored) and what it shows.
public struct FaceResult: Equatable, Sendable {
    /// The tracker's id for this face: the same person keeps it from frame to frame, and no id
    /// is given twice in a run (nil before tracking, `FaceTracker`).
    public var id: Int?
    public var box: FaceBox
    /// The most probable label.
    public var label: String
    /// Its probability.
    public var confidence: Float
    /// One probability per label, in the model's label order.
    public var probabilities: [Float]
    /// Five landmarks in frame pixels, from a detector that gives them (MTCNN); nil from Haar.
    public var landmarks: [FacePoint]?

    public init(id: Int? = nil, box: FaceBox, label: String, confidence: Float, probabilities: [Float],
                landmarks: [FacePoint]? = nil) {
        self.id = id
        self.box = box
        self.label = label
        self.confidence = confidence
        self.probabilities = probabilities
        self.landmarks = landmarks
    }

    /// The result for `probabilities` over `labels`: label and confidence of the largest.
    public init(id: Int? = nil, box: FaceBox, probabilities: [Float], labels: [String], landmarks: [FacePoint]? = nil) {
        let best = Prediction(probabilities: probabilities, labels: labels)
        self.init(id: id, box: box, label: best.label, confidence: best.confidence, probabilities: probabilities,
                  landmarks: landmarks)
    }
}

/// Everything the pipeline found in one frame.
public struct FrameResult: Equatable, Sendable {
    /// 0 for the run's first frame.
    public var frameIndex: Int
    /// Seconds, from the source's timestamps.
    public var time: Double
    public var faces: [FaceResult]
    /// The file the frame came from, for image sources (one file, or each file of a directory);
    /// nil for videos and cameras.
    public var source: String?

    public init(frameIndex: Int, time: Double, faces: [FaceResult], source: String? = nil) {
        self.frameIndex = frameIndex
        self.time = time
        self.faces = faces
        self.source = source
    }
}
