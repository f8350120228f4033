import FaceDetection

/// detector -> preprocessor -> classifier for one frame at a time: the part of a pipeline that
/// needs neither a source nor sinks. `Pipeline` holds one; a server's worker holds one per
/// worker (its own detector state and inference session) and applies it to pictures that
/// arrive over the network.
///
/// Not thread-safe: the detector remembers the faces of earlier frames (`HaarFrameDetector`) and
/// the classifier owns its session's buffers. One thread at a time, or one processor per thread.
public final class FrameProcessor {
    public let preprocessor: FacePreprocessor
    public let classifier: FaceClassifier
    /// The detector applied frame after frame (`HaarFrameDetector` or `MTCNNFrameDetector`:
    /// whole-frame searches every `detectEvery` frames, searches around the faces already found
    /// between them; `YuNetFrameDetector`: every frame searched whole).
    public let finder: FaceFinder
    /// Whether a detected frame keeps its picture for the sinks that draw on it; otherwise it
    /// is let go once the faces are cut out.
    public let keepsPictures: Bool

    public init(finder: FaceFinder, preprocessor: FacePreprocessor, classifier: FaceClassifier,
                keepsPictures: Bool = false) {
        self.preprocessor = preprocessor
        self.classifier = classifier
        self.keepsPictures = keepsPictures
        self.finder = finder
    }

    /// A frame with the faces found in it, cropped and preprocessed, on its way to the classifier.
    public struct Detected {
        /// Its picture is an empty image unless `keepsPictures`.
        public let frame: Frame
        public let boxes: [FaceBox]
        /// Each face's landmarks, in `boxes` order (nil entries from Haar).
        public let landmarks: [[FacePoint]?]
        /// The preprocessed faces, `preprocessor.floatsPerFace` floats each, in `boxes` order.
        public let faces: [Float]
    }

    /// Detects and classifies the faces of one frame; all faces go to the classifier in one batch.
    public func process(_ frame: Frame) throws -> FrameResult {
        try classify(try detect(frame))
    }

    /// The detector's half of `process`: the faces of the frame, found (`HaarFrameDetector` follows
    /// them in the frame's sequence), cropped and preprocessed. Unless `keepsPictures`, the
    /// picture is let go here: a headless run then holds whole frames only in decoding and
    /// detection, never while a frame waits for the classifier or is classified (at 1080p,
    /// 2 MB less per frame in flight).
    public func detect(_ frame: Frame) throws -> Detected {
        var frame = frame
        let grey: Image
        var found: [DetectedFace]
        do {
            found = try finder.faces(in: frame.image)
            grey = try frame.image.grey()
            // Faces whose crop falls outside the frame (impossible for Haar boxes) are skipped.
            found = found.filter { preprocessor.cropRect(for: $0.box, in: grey) != nil }
        } catch let error as OpenCVError {
            throw PipelineError.frameFailed(frame: frame.index, stage: "detection", reason: error.message)
        }
        let boxes = found.map(\.box)
        let perFace = preprocessor.floatsPerFace
        var faces = [Float](repeating: 0, count: boxes.count * perFace)
        do {
            try faces.withUnsafeMutableBufferPointer { buffer in
                for (i, box) in boxes.enumerated() {
                    try preprocessor.preprocess(face: box, landmarks: found[i].landmarks, in: grey,
                                                into: UnsafeMutableBufferPointer(rebasing: buffer[(i * perFace)..<((i + 1) * perFace)]))
                }
            }
            if !keepsPictures { frame.image = try Image() }
        } catch let error as OpenCVError {
            throw PipelineError.frameFailed(frame: frame.index, stage: "preprocessing", reason: error.message)
        } catch let error as PreprocessingError {
            throw PipelineError.frameFailed(frame: frame.index, stage: "preprocessing", reason: error.description)
        }
        return Detected(frame: frame, boxes: boxes, landmarks: found.map(\.landmarks), faces: faces)
    }

    /// The classifier's half: classifies the faces found, all in one batch.
    public func classify(_ detected: Detected) throws -> FrameResult {
        let (frame, boxes) = (detected.frame, detected.boxes)
        guard !boxes.isEmpty else { return FrameResult(frameIndex: frame.index, time: frame.time, faces: [], source: frame.source) }
        let probabilities = try detected.faces.withUnsafeBufferPointer {
            try classifier.classify($0, count: boxes.count)
        }
        let labels = classifier.labels
        let faces = boxes.indices.map {
            FaceResult(box: boxes[$0], probabilities: probabilities[$0], labels: labels, landmarks: detected.landmarks[$0])
        }
        return FrameResult(frameIndex: frame.index, time: frame.time, faces: faces, source: frame.source)
    }
}
