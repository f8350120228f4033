import FoundationEssentials
import Glibc

/// Headless results written to a file (`--results`) instead of standard output, for batch runs
/// over archives: the lines go to a temporary name beside the file, and `commit()` renames it
/// into place only after a complete run. A file under the asked name is therefore always a
/// whole run's output, which is what lets a rerun over a list of sources skip the finished ones
/// (`--skip-existing`) after a crash, a kill or a node lost in the middle of a batch.
///
/// Lines are buffered (not flushed per frame, as standard output is): nobody reads the file
/// before it is renamed.
public final class ResultsFile: LineOutput {
    public var path: String { file.path }
    private let file: OutputFile
    private var stream: UnsafeMutablePointer<FILE>?

    public init(path: String) throws {
        file = try OutputFile(path: path)
        guard let stream = fopen(file.temporaryPath, "w") else {
            throw PipelineError.outputFileFailed(path: path, reason: String(cString: strerror(errno)))
        }
        self.stream = stream
    }

    deinit { discard() }

    /// Whether `path` already holds a finished results file: only a committed run leaves a
    /// regular file under that name.
    public static func isFinished(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }

    public func writeLine(_ line: String) throws {
        guard let stream else { throw PipelineError.outputFileFailed(path: path, reason: "already closed") }
        if fputs(line, stream) < 0 || fputc(0x0A, stream) < 0 {
            throw PipelineError.outputFileFailed(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Writes what is buffered, makes it durable (a batch node may lose power right after) and
    /// renames the file into place.
    public func commit() throws {
        guard let stream else { return }
        self.stream = nil
        let flushed = fflush(stream) == 0 && fsync(fileno(stream)) == 0
        let code = errno
        let closed = fclose(stream) == 0
        guard flushed, closed else {
            file.discard()
            throw PipelineError.outputFileFailed(path: path, reason: String(cString: strerror(flushed ? errno : code)))
        }
        try file.commit()
    }

    /// Drops the temporary file: the run did not finish, so no results file appears.
    public func discard() {
        if let stream { fclose(stream) }
        stream = nil
        file.discard()
    }
}
