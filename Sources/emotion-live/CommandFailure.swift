import ArgumentParser
import EmotionPipeline
import Foundation

/// Runs a command body and turns any library error into one line on stderr and exit status 1.
/// Argument errors never reach here: argument-parser reports them with its usage exit code (64).
func reportingFailures(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch PipelineError.outputClosed {
        // The reader of standard output went away before the run began (`| head -0`): there is
        // nobody to report to and nothing was lost, so the command ends quietly.
        return
    } catch {
        let line = String(describing: error).replacingOccurrences(of: "\n", with: " ")
        fputs("emotion-live: \(line)\n", stderr)
        throw ExitCode(1)
    }
}

/// Writes a line to stdout and flushes it, so a reader sees each result as soon as it exists.
func emit(_ line: String) {
    fputs(line, stdout)
    fputs("\n", stdout)
    fflush(stdout)
}

/// Serializes a JSON object with sorted keys; used where no fixed key order is promised.
func jsonString(_ object: Any) -> String {
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
    return String(decoding: data, as: UTF8.self)
}

enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
