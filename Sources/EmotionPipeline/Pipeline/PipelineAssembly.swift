import FaceDetection
import FoundationEssentials
import Glibc

/// A pipeline put together from a run's options, with the clock it plays by.
public struct AssembledPipeline {
    public let pipeline: Pipeline
    /// The window's playback clock (nil headless): the pipeline skips late frames by it.
    public let playback: PlaybackClock?

    /// Runs it (`Pipeline.run`).
    @discardableResult
    public func run(maxFrames: Int? = nil, stop: StopRequest? = nil) throws -> RunStatistics {
        try pipeline.run(maxFrames: maxFrames, playback: playback, stop: stop)
    }
}

/// The one place a pipeline is assembled from `RunOptions`: for `emotion-live [SOURCE]`, for
/// `bench --video` (which adds a sink of its own in `extraSinks`), and for anything else that
/// runs one (a server connection).
///
/// Everything that can be checked before the first frame is: the output files, then the
/// cascade, then the source (the model was loaded by the caller: a bad model is reported without
/// opening the camera). Errors are `PipelineError`s whose description is one line for stderr.
///
/// The sinks, in the order each frame reaches them after tracking and smoothing: the window or
/// the headless printer, the annotated video, the timeline, the summary, `extraSinks` and the
/// progress line. Frames are decoded grey when none of them draws on frames.
public func assemblePipeline(options: RunOptions, classifier: FaceClassifier, output: LineOutput = StandardOutput(),
                             diagnostics: LineOutput = StandardError(), stop: StopRequest? = nil,
                             extraSinks: [FrameSink] = []) throws -> AssembledPipeline {
    let labels = classifier.labels
    let playback = options.headless ? nil : PlaybackClock()
    var sinks: [FrameSink] = []
    if options.headless {
        switch options.format {
        case .text: sinks.append(HeadlessTextSink(output: output))
        // A run is a stream of frames: JSON means JSON Lines here.
        case .jsonl, .json: sinks.append(JSONLinesSink(labels: labels, output: output))
        case .csv: sinks.append(CSVSink(labels: labels, output: output, landmarks: options.csvLandmarks))
        }
    } else {
        sinks.append(WindowSink(mirrorCamera: options.mirror, labels: labels, stop: stop, playback: playback,
                                landmarks: options.drawLandmarks))
    }
    if let path = options.outputPath { sinks.append(try VideoFileSink(path: path, labels: labels, landmarks: options.drawLandmarks)) }
    if let path = options.timelinePath { sinks.append(try TimelineSink(path: path, labels: labels)) }
    if options.summary {
        let json = options.headless && options.format == .jsonl
        sinks.append(SummarySink(labels: labels, style: json ? .json : .text, output: json ? output : diagnostics))
    }
    sinks += extraSinks

    let spec = SourceSpec(parsing: options.source)
    // Stills are unrelated pictures: each one is searched whole (no following of faces found
    // in the previous image, `HaarFrameDetector`).
    var detectorOptions = options.detector
    switch spec {
    case .image, .directory: detectorOptions = detectorOptions.forStills
    case .camera, .cameraDevice, .video, .stream: break
    }
    let finder = try makeFaceFinder(options: detectorOptions, cascadePath: options.cascadePath)
    // Grey frames hold a third of the memory per frame in flight and skip a conversion; only a
    // sink that draws, or a detector that looks at colour (MTCNN), needs colour.
    let grey = !sinks.contains { $0.drawsOnFrames } && !finder.needsColour
    let source = try openSource(spec, cameraRequest: options.camera, grey: grey, stream: options.stream, stop: stop,
                                warn: { try? diagnostics.writeLine($0) })
    if options.progress && ProgressReporter.applies(to: source.info, terminal: isatty(2) != 0) {
        sinks.append(ProgressReporter(limit: options.maxFrames))
    }
    var preprocessor = classifier.makePreprocessor(margins: options.margins)
    preprocessor.align = options.align
    let pipeline = Pipeline(source: source, finder: finder,
                            preprocessor: preprocessor, classifier: classifier,
                            tracking: FaceTracking(labels: labels, smoothSeconds: options.effectiveSmoothSeconds),
                            sinks: sinks)
    return AssembledPipeline(pipeline: pipeline, playback: playback)
}
