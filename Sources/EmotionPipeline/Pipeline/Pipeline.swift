import FaceDetection
import FoundationEssentials
import Glibc

/// Counts from a finished run.
public struct RunStatistics: Equatable, Sendable {
    public var frames = 0
    public var framesWithFaces = 0
    public var faces = 0
    /// Video frames decoded but not processed to keep up with the clock (a window playing a file by its `PlaybackClock`).
    public var skippedFrames = 0
    /// Wall-clock seconds from the first frame requested to the last frame handled.
    public var seconds = 0.0
    /// Set when the run ended early because something outside it asked (a signal, a closed
    /// standard output); nil when the source ended, `maxFrames` was reached or a sink quit.
    public var stopReason: StopReason?

    public var framesPerSecond: Double { seconds > 0 ? Double(frames) / seconds : 0 }
    public var faceFrameShare: Double { frames > 0 ? Double(framesWithFaces) / Double(frames) : 0 }
}

/// source -> detector -> preprocessor -> classifier -> tracking -> sinks, one frame at a time
/// (the source decodes ahead on its own thread). Data flows one way: no stage sees another's
/// state, except that the detector remembers where it found faces in earlier frames
/// (`HaarFrameDetector`) and tracking its faces (`FaceTracking`). `assemblePipeline` builds one
/// from a run's options.
public final class Pipeline {
    public let source: FrameSource
    /// Face ids and smoothing; nil leaves faces without ids.
    public let tracking: FaceTracking?
    public let sinks: [FrameSink]
    /// Detection, preprocessing and classification of each frame (`FrameProcessor`, which owns
    /// the detector, the preprocessor and the classifier).
    public let processor: FrameProcessor
    /// The detector applied frame after frame: whole-frame searches every `detectEvery` frames,
    /// searches around the faces already found between them (exact full-frame Haar with
    /// `detectEvery` 1).
    public var finder: FaceFinder { processor.finder }

    public init(source: FrameSource, finder: FaceFinder, preprocessor: FacePreprocessor,
                classifier: FaceClassifier, tracking: FaceTracking? = nil, sinks: [FrameSink]) {
        self.source = source
        self.tracking = tracking
        self.sinks = sinks
        processor = FrameProcessor(finder: finder, preprocessor: preprocessor, classifier: classifier,
                                   keepsPictures: sinks.contains { $0.drawsOnFrames })
    }

    /// Detects, classifies and tracks the faces of one frame; all faces go to the classifier in
    /// one batch.
    public func process(_ frame: Frame) throws -> FrameResult {
        let result = try processor.process(frame)
        return tracking?.track(result) ?? result
    }

    func detect(_ frame: Frame) throws -> FrameProcessor.Detected { try processor.detect(frame) }

    /// Runs until the source ends, a sink asks to stop, `maxFrames` frames are done, or `stop`
    /// is requested. The source is closed and every sink finished, also when an error ends the
    /// run; then each sink's `complete` hears how it ended (files renamed into place or dropped,
    /// the summary printed or not).
    ///
    /// `stop` is checked before each frame is read, never during one: the frame in progress
    /// reaches every sink, so the outputs end on a whole frame. A sink whose reader went away
    /// (`PipelineError.outputClosed`, standard output closed by `| head`) stops the run the same
    /// way instead of failing it: the frames already done are kept.
    ///
    /// `playback` (window mode): when processing a video file falls more than a frame interval
    /// behind the clock, frames are skipped (decoded, not processed) so the clip plays at its
    /// own speed; the window shows each frame when the same clock says it is due. Without it,
    /// every frame is processed; files and stills then have the faces of the next frame
    /// detected on a thread of their own while this one's are classified and written (one frame
    /// ahead, in order: the same results as one frame at a time).
    @discardableResult
    public func run(maxFrames: Int? = nil, playback: PlaybackClock? = nil, stop: StopRequest? = nil) throws -> RunStatistics {
        let statistics: RunStatistics
        do {
            statistics = try runFrames(maxFrames: maxFrames, playback: playback, stop: stop)
        } catch {
            let keeps = (error as? PipelineError)?.endsAWholeRun ?? false
            for sink in sinks { try? sink.complete(.failed(keepsFrames: keeps)) }
            throw error
        }
        var failure: Error?
        for sink in sinks {
            do {
                try sink.complete(failure == nil ? .finished : .failed(keepsFrames: false))
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        return statistics
    }

    private func runFrames(maxFrames: Int?, playback: PlaybackClock?, stop: StopRequest?) throws -> RunStatistics {
        var statistics = RunStatistics()
        defer { source.close() }
        var begun: [FrameSink] = []
        defer { for sink in begun.reversed() { try? sink.finish() } }
        for sink in sinks {
            try sink.begin(source: source.info)
            begun.append(sink)
        }
        let start = Date()
        let pace = playback != nil && source.info.kind == .video
        let interval = source.info.fps > 0 ? 1 / source.info.fps : 1.0 / 30
        // Headless files and stills: faces of the next frame are detected while this one's are
        // classified. Not for a live source, where a frame waiting for the classifier would be
        // a frame staler than the newest, nor for a paced window. Only the detection thread
        // touches the source and the detector until it has stopped, which happens before the
        // source is closed (defers run last to first).
        let overlap = playback == nil && !source.info.kind.isLive
        let ahead: BackgroundReader<FrameProcessor.Detected>? = !overlap ? nil : BackgroundReader(policy: .queue(capacity: 1)) { [source] in
            guard let frame = try source.nextFrame() else { return nil }
            return try self.detect(frame)
        }
        ahead?.start()
        defer { ahead?.stopAndWait() }
        while maxFrames.map({ statistics.frames < $0 }) ?? true {
            if let reason = stop?.reason {
                statistics.stopReason = reason
                break
            }
            let detected: FrameProcessor.Detected
            if let ahead {
                guard let next = try ahead.next() else { break }
                detected = next
            } else {
                guard let frame = try source.nextFrame() else {
                    // A live stream waiting for a reconnection ends early when a stop is asked.
                    statistics.stopReason = stop?.reason
                    break
                }
                if pace, let playback, playback.isLate(frame.time, interval: interval) {
                    statistics.skippedFrames += 1
                    continue
                }
                detected = try detect(frame)
            }
            let frame = detected.frame
            let classified = try processor.classify(detected)
            let result = tracking?.track(classified) ?? classified
            statistics.frames += 1
            statistics.faces += result.faces.count
            if !result.faces.isEmpty { statistics.framesWithFaces += 1 }
            // Every sink gets the frame, also after one quits or finds its reader gone: the
            // annotated video keeps the frame in progress.
            var goOn = true
            for sink in sinks {
                do {
                    if try !sink.consume(result, frame: frame) { goOn = false }
                } catch PipelineError.outputClosed {
                    statistics.stopReason = .outputClosed
                }
            }
            if !goOn || statistics.stopReason != nil { break }
        }
        statistics.seconds = Date().timeIntervalSince(start)
        let finishing = begun
        begun = []
        for sink in finishing.reversed() { try sink.finish() }
        return statistics
    }
}
