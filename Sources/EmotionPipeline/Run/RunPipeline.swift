import FoundationEssentials
import Glibc

/// Builds the pipeline `options` describe and runs it: what `emotion-live [SOURCE]` does.
///
/// Everything that can be checked before the first frame is: the model, then the output files,
/// then the cascade, then the source (so a bad model is reported without opening the camera).
/// Errors are `PipelineError`s whose description is one line for stderr.
///
/// The sinks, in the order each frame reaches them: tracking and smoothing (`TrackingSink`),
/// then the window or the headless printer, the annotated video, the timeline, the summary
/// and the progress line. Output files are renamed into place, and the summary printed, only
/// (besides a live stream lost for longer than `--reconnect-for`, whose frames are kept)
/// when the run ends without an error: at the source's end, after `maxFrames`, when the user
/// quits, and also when `stop` is requested (a signal) or standard output's reader goes away
/// (`RunStatistics.stopReason` says which); the frames done until then are all in the files.
@discardableResult
public func runPipeline(options: RunOptions, output: LineOutput = StandardOutput(),
                        stop: StopRequest? = nil) throws -> RunStatistics {
    let classifier = try EmotionClassifier(modelPath: options.modelPath, metadata: options.metadata,
                                           maxBatch: options.maxBatch)
    return try runPipeline(options: options, classifier: classifier, output: output, stop: stop)
}

/// The same with a classifier the caller has already loaded (or a stand-in).
@discardableResult
public func runPipeline(options: RunOptions, classifier: FaceClassifier,
                        output: LineOutput = StandardOutput(), diagnostics: LineOutput = StandardError(),
                        stop: StopRequest? = nil) throws -> RunStatistics {
    let labels = classifier.labels
    var files: [FileWritingSink] = []
    if let path = options.outputPath { files.append(try VideoFileSink(path: path, labels: labels)) }
    if let path = options.timelinePath { files.append(try TimelineSink(path: path, labels: labels)) }
    let spec = SourceSpec(parsing: options.source)
    // Stills are unrelated pictures: each one is searched whole (no following of faces found
    // in the previous image, `FrameDetector`).
    var detectorOptions = options.detector
    switch spec {
    case .image, .directory: detectorOptions = detectorOptions.exact
    case .camera, .cameraDevice, .video, .stream: break
    }
    let detector = try FaceDetector(cascadePath: options.cascadePath, options: detectorOptions)
    // Nothing is drawn headless without --output: frames can come grey, which holds a third of
    // the memory per frame in flight and skips a conversion.
    let grey = options.headless && options.outputPath == nil
    let source = try openSource(spec, cameraRequest: options.camera, grey: grey, stream: options.stream, stop: stop,
                                warn: { try? diagnostics.writeLine($0) })
    var sinks: [FrameSink] = []
    if options.headless {
        switch options.format {
        case .text: sinks.append(HeadlessTextSink(output: output))
        case .jsonl: sinks.append(JSONLinesSink(labels: labels, output: output))
        case .csv: sinks.append(CSVSink(labels: labels, output: output))
        }
    } else {
        sinks.append(WindowSink(mirrorCamera: options.mirror, labels: labels, stop: stop))
    }
    sinks += files as [FrameSink]
    var summary: SummarySink?
    if options.summary {
        let json = options.headless && options.format == .jsonl
        summary = SummarySink(labels: labels, style: json ? .json : .text, output: json ? output : diagnostics)
        sinks.append(summary!)
    }
    if options.progress && ProgressReporter.applies(to: source.info, terminal: isatty(2) != 0) {
        sinks.append(ProgressReporter(limit: options.maxFrames))
    }
    let tracking = TrackingSink(labels: labels, smoothSeconds: options.effectiveSmoothSeconds, downstream: sinks)
    let pipeline = Pipeline(source: source, detector: detector,
                            preprocessor: classifier.makePreprocessor(margins: options.margins),
                            classifier: classifier, sinks: [tracking])
    let statistics: RunStatistics
    do {
        statistics = try pipeline.run(maxFrames: options.maxFrames, keepRealTime: !options.headless, stop: stop)
        for file in files { try file.commit() }
    } catch let error as PipelineError where error.endsAWholeRun {
        // Hours of a live stream were processed well before it went away: its outputs are kept.
        for file in files { try file.commit() }
        try? summary?.report()
        throw error
    } catch {
        for file in files { file.discard() }
        throw error
    }
    do {
        try summary?.report()
    } catch PipelineError.outputClosed {
        // The reader of a JSON summary has gone: nobody to tell.
    }
    return statistics
}
