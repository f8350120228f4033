import FoundationEssentials
import Glibc

/// Where the headless sinks write their lines.
public protocol LineOutput: AnyObject {
    /// Writes `line` and a newline, and flushes: a reader sees each frame as it is done.
    func writeLine(_ line: String) throws
}

/// Standard output, flushed after every line.
///
/// A reader that has gone away (EPIPE) is `PipelineError.outputClosed`, which ends the run
/// quietly; any other write error is a failure. The write itself never raises SIGPIPE, whatever
/// the process does with that signal (`writeFlushedLine`).
public final class StandardOutput: LineOutput {
    private let stream: UnsafeMutablePointer<FILE>

    public init() { stream = stdout }

    /// Another stream with standard output's behaviour (tests: the write end of a pipe).
    init(stream: UnsafeMutablePointer<FILE>) { self.stream = stream }

    public func writeLine(_ line: String) throws {
        let code = writeFlushedLine(line, to: stream)
        if code == EPIPE { throw PipelineError.outputClosed }
        if code != 0 { throw PipelineError.outputFailed(reason: "standard output: \(String(cString: strerror(code)))") }
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
        let code = writeFlushedLine(line, to: stderr)
        if code != 0 { throw PipelineError.outputFailed(reason: "standard error: \(String(cString: strerror(code)))") }
    }
}

/// Writes `line` and a newline to `stream` and flushes it; 0, or the errno of the failure.
///
/// A write to a pipe or socket whose reader has gone raises SIGPIPE, which kills the process
/// unless the process ignores it, and a library must not decide that for its caller. So
/// SIGPIPE is blocked on this thread for the write (other threads and the process's action
/// are left alone): the failed write is an EPIPE, and the signal it raised, left pending on this
/// thread, is taken before the mask is restored. One that was pending before the write is not
/// ours and stays.
private func writeFlushedLine(_ line: String, to stream: UnsafeMutablePointer<FILE>) -> Int32 {
    var pipeSignal = sigset_t()
    sigemptyset(&pipeSignal)
    sigaddset(&pipeSignal, SIGPIPE)
    var previousMask = sigset_t()
    pthread_sigmask(SIG_BLOCK, &pipeSignal, &previousMask)
    defer { pthread_sigmask(SIG_SETMASK, &previousMask, nil) }
    var pending = sigset_t()
    sigpending(&pending)
    let pendingBefore = sigismember(&pending, SIGPIPE) == 1
    guard fputs(line, stream) >= 0, fputc(0x0A, stream) >= 0, fflush(stream) == 0 else {
        let code = errno
        if code == EPIPE && !pendingBefore {
            var noWait = timespec()
            while sigtimedwait(&pipeSignal, nil, &noWait) < 0 && errno == EINTR {}
        }
        return code
    }
    return 0
}

extension LineOutput {
    /// Writes a block of text (a table, a report) line by line; a final newline is optional.
    public func writeLines(_ text: String) throws {
        let body = text.hasSuffix("\n") ? text.dropLast() : Substring(text)
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) { try writeLine(String(line)) }
    }
}
