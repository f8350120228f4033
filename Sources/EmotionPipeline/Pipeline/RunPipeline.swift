/// Builds the pipeline `options` describe (`assemblePipeline`) and runs it: what
/// `emotion-live [SOURCE]` does.
///
/// Output files are renamed into place, and the summary printed, only when the run ends without
/// an error (or when a live stream is lost for longer than `--reconnect-for`, whose frames are
/// kept): at the source's end, after `maxFrames`, when the user quits, and also when `stop` is
/// requested (a signal) or standard output's reader goes away (`RunStatistics.stopReason` says
/// which); the frames done until then are all in the files.
///
/// A results file (`options.resultsPath`) takes the headless lines instead of `output`, and is
/// stricter: it appears only when the run went to its end (the source's end or `maxFrames`),
/// never after a stop, so that its presence means "this source is done" to a batch rerun.
@discardableResult
public func runPipeline(options: RunOptions, classifier: FaceClassifier,
                        output: LineOutput = StandardOutput(), diagnostics: LineOutput = StandardError(),
                        stop: StopRequest? = nil) throws -> RunStatistics {
    let results = try options.resultsPath.map { try ResultsFile(path: $0) }
    let statistics = try assemblePipeline(options: options, classifier: classifier, output: results ?? output,
                                          diagnostics: diagnostics, stop: stop)
        .run(maxFrames: options.maxFrames, stop: stop)
    if let results {
        if statistics.stopReason == nil {
            try results.commit()
        } else {
            results.discard()
            try? diagnostics.writeLine("emotion-live: \(results.path) not written: the run was stopped before its end")
        }
    }
    return statistics
}
