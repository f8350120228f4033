/// Builds the pipeline `options` describe and runs it: what `emotion-live [SOURCE]` does.
///
/// Everything that can be checked before the first frame is: the model, then the cascade, then
/// the source (so a bad model is reported without opening the camera). Errors are
/// `PipelineError`s whose description is one line for stderr.
@discardableResult
public func runPipeline(options: RunOptions, output: LineOutput = StandardOutput()) throws -> RunStatistics {
    let classifier = try EmotionClassifier(modelPath: options.modelPath, metadata: options.metadata,
                                           maxBatch: options.maxBatch)
    return try runPipeline(options: options, classifier: classifier, output: output)
}

/// The same with a classifier the caller has already loaded (or a stand-in).
@discardableResult
public func runPipeline(options: RunOptions, classifier: FaceClassifier,
                        output: LineOutput = StandardOutput()) throws -> RunStatistics {
    let detector = try FaceDetector(cascadePath: options.cascadePath, options: options.detector)
    let source = try openSource(SourceSpec(parsing: options.source), cameraRequest: options.camera)
    let sink: FrameSink
    if options.headless {
        switch options.format {
        case .text: sink = HeadlessTextSink(output: output)
        case .jsonl: sink = JSONLinesSink(labels: classifier.labels, output: output)
        }
    } else {
        sink = WindowSink(mirrorCamera: options.mirror)
    }
    let pipeline = Pipeline(source: source, detector: detector,
                            preprocessor: classifier.makePreprocessor(margins: options.margins),
                            classifier: classifier, sinks: [sink])
    return try pipeline.run(maxFrames: options.maxFrames, keepRealTime: !options.headless)
}
