/// Builds the pipeline `options` describe (`assemblePipeline`) and runs it: what
/// `emotion-live [SOURCE]` does.
///
/// Output files are renamed into place, and the summary printed, only when the run ends without
/// an error (or when a live stream is lost for longer than `--reconnect-for`, whose frames are
/// kept): at the source's end, after `maxFrames`, when the user quits, and also when `stop` is
/// requested (a signal) or standard output's reader goes away (`RunStatistics.stopReason` says
/// which); the frames done until then are all in the files.
@discardableResult
public func runPipeline(options: RunOptions, classifier: FaceClassifier,
                        output: LineOutput = StandardOutput(), diagnostics: LineOutput = StandardError(),
                        stop: StopRequest? = nil) throws -> RunStatistics {
    try assemblePipeline(options: options, classifier: classifier, output: output, diagnostics: diagnostics, stop: stop)
        .run(maxFrames: options.maxFrames, stop: stop)
}
