import FoundationEssentials
import Glibc

/// A file a run produces (annotated video, timeline plot), written under a temporary name
/// beside it and renamed into place only when the run succeeds, so an error never leaves a
/// truncated file under the name asked for.
///
/// `init` checks, before any frame is processed, that the file can be created: its directory
/// exists and is writable, and the name is not a directory.
public final class OutputFile {
    public let path: String
    /// Where the data goes until `commit()`: a hidden name in the same directory (so the rename
    /// is atomic), with the same extension (OpenCV picks the format from it).
    public let temporaryPath: String
    private var committed = false

    public init(path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        var isDirectory: Bool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory {
            throw PipelineError.outputFileFailed(path: path, reason: "is a directory")
        }
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory else {
            throw PipelineError.outputFileFailed(path: path, reason: "no such directory \(directory)")
        }
        let ext = url.pathExtension
        temporaryPath = directory + "/." + name + ".partial-\(getpid())" + (ext.isEmpty ? "" : "." + ext)
        Self.removeAbandonedTemporaries(of: name, in: directory)
        // Creating the temporary file is the only reliable check (permissions, read-only
        // mounts, ACLs); it is removed again until the run writes it.
        guard FileManager.default.createFile(atPath: temporaryPath, contents: nil) else {
            throw PipelineError.outputFileFailed(path: path, reason: String(cString: strerror(errno == 0 ? EACCES : errno)))
        }
        try? FileManager.default.removeItem(atPath: temporaryPath)
    }

    deinit { if !committed { discard() } }

    /// Moves the finished temporary file to `path` (replacing a file already there).
    public func commit() throws {
        guard !committed else { return }
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            discard()
            throw PipelineError.outputFileFailed(path: path, reason: reason)
        }
        committed = true
    }

    /// Removes the temporary file (a failed or abandoned run).
    public func discard() {
        unlink(temporaryPath)
    }

    /// A run killed outright (SIGKILL, the OOM killer, a lost node) cannot remove its temporary
    /// file; the next run writing the same file does, for each process that no longer exists.
    /// A live process's file is left alone: two runs may write the same name at once.
    static func removeAbandonedTemporaries(of name: String, in directory: String) {
        let prefix = "." + name + ".partial-"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for entry in entries where entry.hasPrefix(prefix) {
            let digits = entry.dropFirst(prefix.count).prefix { $0.isASCII && $0.isNumber }
            guard let pid = pid_t(digits), pid > 0, pid != getpid() else { continue }
            if processIsGone(pid) { unlink(directory + "/" + entry) }
        }
    }

    /// True when `pid` no longer runs. A killed process whose parent died too stays a zombie
    /// until PID 1 reaps it, and in a container PID 1 often never does: `kill(pid, 0)` still
    /// succeeds for it, so its state in /proc decides.
    static func processIsGone(_ pid: pid_t) -> Bool {
        if kill(pid, 0) != 0 { return errno == ESRCH }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].drop { $0 == " " }.first
        return state == "Z" || state == "X"
    }
}

/// A sink that writes a file: it is renamed into place only after a successful run.
public protocol FileWritingSink: FrameSink {
    /// Writes what is still pending and renames the file into place.
    func commit() throws
    /// Drops the partial file.
    func discard()
}

extension FileWritingSink {
    /// Commits the file when the run's frames are kept, drops it otherwise.
    public func complete(_ outcome: RunOutcome) throws {
        if outcome.keepsFrames { try commit() } else { discard() }
    }
}
