import ArgumentParser
import EmotionPipeline
import Glibc

/// Runs a command body and turns any library error into one line on stderr and exit status 1.
/// Argument errors never reach here: argument-parser reports them with its usage exit code (64).
func reportingFailures(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch PipelineError.outputClosed {
        // The reader of standard output went away (`| head`): there is nobody to report to,
        // and what was asked for was written as far as anyone reads.
        return
    } catch {
        let line = String(describing: error).replacing("\n", with: " ")
        fputs("emotion-live: \(line)\n", stderr)
        throw ExitCode(1)
    }
}

extension OutputFormat: ExpressibleByArgument {
    /// A `validate()` step: refuses a format the command does not write.
    func check(accepting accepted: [OutputFormat]) throws {
        if let refusal = refusal(accepting: accepted) { throw ValidationError(refusal) }
    }
}
