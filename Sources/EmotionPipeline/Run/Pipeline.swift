import Foundation

/// Counts from a finished run.
public struct RunStatistics: Equatable, Sendable {
    public var frames = 0
    public var framesWithFaces = 0
    public var faces = 0
    /// Video frames decoded but not processed to keep up with the clock (`keepRealTime`).
    public var skippedFrames = 0
    /// Wall-clock seconds from the first frame requested to the last frame handled.
    public var seconds = 0.0
    /// Set when the run ended early because something outside it asked (a signal, a closed
    /// standard output); nil when the source ended, `maxFrames` was reached or a sink quit.
    public var stopReason: StopReason?

    public var framesPerSecond: Double { seconds > 0 ? Double(frames) / seconds : 0 }
    public var faceFrameShare: Double { frames > 0 ? Double(framesWithFaces) / Double(frames) : 0 }
}

/// source -> detector -> preprocessor -> classifier -> sinks, one frame at a time (the source
/// decodes ahead on its own thread). Data flows one way: no stage sees another's state, except
/// that the detector remembers where it found faces in earlier frames (`FrameDetector`).
public final class Pipeline {
    public let source: FrameSource
    public let detector: FaceDetector
    public let preprocessor: FacePreprocessor
    public let classifier: FaceClassifier
    public let sinks: [FrameSink]
    /// The detector applied frame after frame: whole-frame searches every `detectEvery` frames,
    /// searches around the faces already found between them (exact full-frame Haar with
    /// `detectEvery` 1).
    public let frameDetector: FrameDetector
    /// Reused between frames: the batch of preprocessed faces.
    private var batch: [Float] = []

    public init(source: FrameSource, detector: FaceDetector, preprocessor: FacePreprocessor,
                classifier: FaceClassifier, sinks: [FrameSink]) {
        self.source = source
        self.detector = detector
        self.preprocessor = preprocessor
        self.classifier = classifier
        self.sinks = sinks
        frameDetector = FrameDetector(detector: detector)
    }

    /// Detects and classifies the faces of one frame; all faces go to the classifier in one batch.
    public func process(_ frame: Frame) throws -> FrameResult {
        let stage = { (name: String, body: () throws -> Void) throws in
            do { try body() } catch let error as OpenCVError {
                throw PipelineError.frameFailed(frame: frame.index, stage: name, reason: error.message)
            }
        }
        var grey: Image!
        var boxes: [FaceBox] = []
        try stage("detection") {
            grey = try frame.image.grey()
            boxes = try frameDetector.detect(in: grey)
        }
        // Faces whose crop falls outside the frame (impossible for Haar boxes) are skipped.
        boxes = boxes.filter { preprocessor.cropRect(for: $0, in: grey) != nil }
        guard !boxes.isEmpty else { return FrameResult(frameIndex: frame.index, time: frame.time, faces: []) }

        let perFace = preprocessor.floatsPerFace
        if batch.count < boxes.count * perFace { batch = [Float](repeating: 0, count: boxes.count * perFace) }
        try stage("preprocessing") {
            try batch.withUnsafeMutableBufferPointer { buffer in
                for (i, box) in boxes.enumerated() {
                    try preprocessor.preprocess(face: box, in: grey,
                                                into: UnsafeMutableBufferPointer(rebasing: buffer[(i * perFace)..<((i + 1) * perFace)]))
                }
            }
        }
        let probabilities = try batch.withUnsafeBufferPointer {
            try classifier.classify(UnsafeBufferPointer(rebasing: $0[0..<(boxes.count * perFace)]), count: boxes.count)
        }
        let labels = classifier.labels
        let faces = zip(boxes, probabilities).map { FaceResult(box: $0, probabilities: $1, labels: labels) }
        return FrameResult(frameIndex: frame.index, time: frame.time, faces: faces)
    }

    /// Runs until the source ends, a sink asks to stop, `maxFrames` frames are done, or `stop`
    /// is requested. The source is closed and every sink finished, also when an error ends the
    /// run.
    ///
    /// `stop` is checked before each frame is read, never during one: the frame in progress
    /// reaches every sink, so the outputs end on a whole frame. A sink whose reader went away
    /// (`PipelineError.outputClosed`, standard output closed by `| head`) stops the run the same
    /// way instead of failing it: the frames already done are kept.
    ///
    /// `keepRealTime` (window mode): when processing a video file falls more than a frame
    /// interval behind the file's own clock, frames are skipped (decoded, not processed) so the
    /// clip plays at its own speed. Headless runs process every frame.
    @discardableResult
    public func run(maxFrames: Int? = nil, keepRealTime: Bool = false, stop: StopRequest? = nil) throws -> RunStatistics {
        var statistics = RunStatistics()
        defer { source.close() }
        var begun: [FrameSink] = []
        defer { for sink in begun.reversed() { try? sink.finish() } }
        for sink in sinks {
            try sink.begin(source: source.info)
            begun.append(sink)
        }
        let start = Date()
        let pace = keepRealTime && source.info.kind == .video
        let interval = source.info.fps > 0 ? 1 / source.info.fps : 1.0 / 30
        var clock: (wall: Date, media: Double)?
        frames: while maxFrames.map({ statistics.frames < $0 }) ?? true {
            if let reason = stop?.reason {
                statistics.stopReason = reason
                break
            }
            guard let frame = try source.nextFrame() else { break }
            if pace {
                if let clock {
                    let lateness = Date().timeIntervalSince(clock.wall) - (frame.time - clock.media)
                    if lateness > interval {
                        statistics.skippedFrames += 1
                        continue
                    }
                } else {
                    clock = (Date(), frame.time)
                }
            }
            let result = try process(frame)
            statistics.frames += 1
            statistics.faces += result.faces.count
            if !result.faces.isEmpty { statistics.framesWithFaces += 1 }
            // A sink that finds its reader gone still lets the frame reach the others.
            for sink in sinks {
                do {
                    if try !sink.consume(result, frame: frame) { break frames }
                } catch PipelineError.outputClosed {
                    statistics.stopReason = .outputClosed
                }
            }
            if statistics.stopReason != nil { break }
        }
        statistics.seconds = Date().timeIntervalSince(start)
        let finishing = begun
        begun = []
        for sink in finishing.reversed() { try sink.finish() }
        return statistics
    }
}
