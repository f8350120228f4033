import ArgumentParser
import EmotionPipeline
import FoundationEssentials
import Glibc

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
        let line = String(describing: error).replacing("\n", with: " ")
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

/// Serializes a JSON value built of dictionaries, arrays, strings, numbers, Bool and JSONNull,
/// compactly, keys sorted; used where no fixed key order is promised. Numbers are written as
/// Swift spells them (the shortest text that reads back to the same value); a non-finite
/// number, which JSON cannot hold, as null.
func jsonString(_ value: Any) -> String {
    switch value {
    case let text as String: return NumberFormat.jsonString(text)
    case let flag as Bool: return flag ? "true" : "false"
    case let integer as any BinaryInteger: return "\(integer)"
    case let number as Double: return number.isFinite ? "\(number)" : "null"
    case let number as Float: return number.isFinite ? "\(number)" : "null"
    case let list as [Any]: return "[" + list.map(jsonString).joined(separator: ",") + "]"
    case let object as [String: Any]:
        return "{" + object.keys.sorted().map { NumberFormat.jsonString($0) + ":" + jsonString(object[$0]!) }.joined(separator: ",") + "}"
    default: return "null"
    }
}

enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
