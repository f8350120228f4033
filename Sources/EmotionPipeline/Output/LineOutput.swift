import FoundationEssentials
import Glibc

/// Where the headless sinks write their lines.
public protocol LineOutput: AnyObject {
    /// Writes `line` and a newline, and flushes: a reader sees each frame as it is done.
    func writeLine(_ line: String) throws
}

/// Standard output, flushed after every line.
///
/// A reader that has gone away (EPIPE, with SIGPIPE ignored as the run command does) is
/// `PipelineError.outputClosed`, which ends the run quietly; any other write error is a failure.
public final class StandardOutput: LineOutput {
    public init() {}

    public func writeLine(_ line: String) throws {
        if fputs(line, stdout) < 0 || fputc(0x0A, stdout) < 0 || fflush(stdout) != 0 {
            let code = errno
            if code == EPIPE { throw PipelineError.outputClosed }
            throw PipelineError.outputFailed(reason: "standard output: \(String(cString: strerror(code)))")
        }
    }
}

/// Collects lines in memory (tests, callers that post-process).
public final class LineCollector: LineOutput {
    public private(set) var lines: [String] = []

    public init() {}

    public func writeLine(_ line: String) throws { lines.append(line) }
}

/// Standard error, flushed after every line: reports that must not mix with the results on
/// standard output (the summary in text and CSV mode, skipped files).
public final class StandardError: LineOutput {
    public init() {}

    public func writeLine(_ line: String) throws {
        if fputs(line, stderr) < 0 || fputc(0x0A, stderr) < 0 || fflush(stderr) != 0 {
            throw PipelineError.outputFailed(reason: "standard error: \(String(cString: strerror(errno)))")
        }
    }
}

extension LineOutput {
    /// Writes a block of text (a table, a report) line by line; a final newline is optional.
    public func writeLines(_ text: String) throws {
        let body = text.hasSuffix("\n") ? text.dropLast() : Substring(text)
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) { try writeLine(String(line)) }
    }
}
