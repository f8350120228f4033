import FoundationEssentials
import Glibc

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
    /// Whether a sink draws on the frames' pictures (`FrameSink.drawsOnFrames`).
    private let sinksDrawOnFrames: Bool

    public init(source: FrameSource, detector: FaceDetector, preprocessor: FacePreprocessor,
                classifier: FaceClassifier, sinks: [FrameSink]) {
        self.source = source
        self.detector = detector
        self.preprocessor = preprocessor
        self.classifier = classifier
        self.sinks = sinks
        sinksDrawOnFrames = sinks.contains { $0.drawsOnFrames }
        frameDetector = FrameDetector(detector: detector)
    }

    /// A frame with the faces found in it, cropped and preprocessed, on its way to the classifier.
    struct Detected {
        /// Its picture is an empty image when no sink draws on frames (`sinksDrawOnFrames`).
        let frame: Frame
        let boxes: [FaceBox]
        /// The preprocessed faces, `preprocessor.floatsPerFace` floats each, in `boxes` order.
        let faces: [Float]
    }

    /// Detects and classifies the faces of one frame; all faces go to the classifier in one batch.
    public func process(_ frame: Frame) throws -> FrameResult {
        try classify(try detect(frame))
    }

    /// The detector's half of `process`: the faces of the frame, found (`FrameDetector` follows
    /// them in the frame's sequence), cropped and preprocessed. When no sink draws on frames,
    /// the picture is let go here: a headless run then holds whole frames only in decoding and
    /// detection, never while a frame waits for the classifier or is classified (at 1080p,
    /// 2 MB less per frame in flight).
    func detect(_ frame: Frame) throws -> Detected {
        var frame = frame
        let grey: Image
        let boxes: [FaceBox]
        do {
            grey = try frame.image.grey()
            // Faces whose crop falls outside the frame (impossible for Haar boxes) are skipped.
            boxes = try frameDetector.detect(in: grey).filter { preprocessor.cropRect(for: $0, in: grey) != nil }
        } catch let error as OpenCVError {
            throw PipelineError.frameFailed(frame: frame.index, stage: "detection", reason: error.message)
        }
        let perFace = preprocessor.floatsPerFace
        var faces = [Float](repeating: 0, count: boxes.count * perFace)
        do {
            try faces.withUnsafeMutableBufferPointer { buffer in
                for (i, box) in boxes.enumerated() {
                    try preprocessor.preprocess(face: box, in: grey,
                                                into: UnsafeMutableBufferPointer(rebasing: buffer[(i * perFace)..<((i + 1) * perFace)]))
                }
            }
            if !sinksDrawOnFrames { frame.image = try Image() }
        } catch let error as OpenCVError {
            throw PipelineError.frameFailed(frame: frame.index, stage: "preprocessing", reason: error.message)
        }
        return Detected(frame: frame, boxes: boxes, faces: faces)
    }

    /// The classifier's half: classifies the faces found, all in one batch.
    func classify(_ detected: Detected) throws -> FrameResult {
        let (frame, boxes) = (detected.frame, detected.boxes)
        guard !boxes.isEmpty else { return FrameResult(frameIndex: frame.index, time: frame.time, faces: []) }
        let probabilities = try detected.faces.withUnsafeBufferPointer {
            try classifier.classify($0, count: boxes.count)
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
    /// clip plays at its own speed. Headless runs process every frame; on files they detect the
    /// faces of the next frame on a thread of their own while this one's are classified and
    /// written (one frame ahead, in order: the same results as one frame at a time).
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
        // Headless files and stills: faces of the next frame are detected while this one's are
        // classified. Not for a camera, where a frame waiting for the classifier would be a
        // frame staler than the newest, nor for a paced window. Only the detection thread
        // touches the source and the detector until it has stopped, which happens before the
        // source is closed (defers run last to first).
        let overlap = !keepRealTime && !source.info.kind.isLive
        let ahead: BackgroundReader<Detected>? = !overlap ? nil : BackgroundReader(policy: .queue(capacity: 1)) { [source] in
            guard let frame = try source.nextFrame() else { return nil }
            return try self.detect(frame)
        }
        ahead?.start()
        defer { ahead?.stopAndWait() }
        /// Whether a paced run is more than a frame interval behind the file's clock.
        func skip(_ frame: Frame) -> Bool {
            guard let clock else {
                clock = (Date(), frame.time)
                return false
            }
            guard Date().timeIntervalSince(clock.wall) - (frame.time - clock.media) > interval else { return false }
            statistics.skippedFrames += 1
            return true
        }
        frames: while maxFrames.map({ statistics.frames < $0 }) ?? true {
            if let reason = stop?.reason {
                statistics.stopReason = reason
                break
            }
            let detected: Detected
            if let ahead {
                guard let next = try ahead.next() else { break }
                detected = next
            } else {
                guard let frame = try source.nextFrame() else {
                    // A live stream waiting for a reconnection ends early when a stop is asked.
                    statistics.stopReason = stop?.reason
                    break
                }
                if pace && skip(frame) { continue }
                detected = try detect(frame)
            }
            let frame = detected.frame
            let result = try classify(detected)
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
