import EmotionPipeline
import Foundation
import TestSupport
import XCTest

/// `ResultsFile`: lines appear under the asked name only after `commit()`; anything else
/// leaves the directory as it was.
final class ResultsFileTests: XCTestCase {
    private func names(in directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    private func file(_ name: String, in directory: URL) -> String { directory.appendingPathComponent(name).path }

    func testCommitRenamesTheLinesIntoPlace() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = file("run.jsonl", in: directory)
        let results = try ResultsFile(path: path)
        try results.writeLine("{\"frame\": 0}")
        try results.writeLine("{\"frame\": 1}")
        XCTAssertFalse(ResultsFile.isFinished(path), "nothing under the name before the end")
        XCTAssertEqual(try names(in: directory).count, 1, "only the hidden temporary")
        try results.commit()
        XCTAssertTrue(ResultsFile.isFinished(path))
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "{\"frame\": 0}\n{\"frame\": 1}\n")
        XCTAssertEqual(try names(in: directory), ["run.jsonl"])
    }

    func testDiscardAndAbandonLeaveNothing() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let discarded = try ResultsFile(path: file("a.jsonl", in: directory))
        try discarded.writeLine("x")
        discarded.discard()
        XCTAssertThrowsError(try discarded.writeLine("y"), "a discarded file takes no more lines")
        do {
            let abandoned = try ResultsFile(path: file("b.jsonl", in: directory))
            try abandoned.writeLine("x")
        }
        XCTAssertEqual(try names(in: directory), [])
    }

    func testADirectoryIsNotAFinishedFile() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        XCTAssertFalse(ResultsFile.isFinished(directory.path))
        XCTAssertFalse(ResultsFile.isFinished(file("absent.jsonl", in: directory)))
        XCTAssertThrowsError(try ResultsFile(path: directory.path)) { error in
            XCTAssertTrue("\(error)".contains("is a directory"), "\(error)")
        }
    }

    /// A temporary left by a killed run is removed by the next run writing the same name, also
    /// when the killed process is a zombie nobody reaps (containers whose PID 1 never reaps
    /// orphans); a running process's temporary is left alone.
    func testTemporariesOfDeadAndZombieProcessesAreSweptAndLiveOnesKept() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let zombie = try spawn(["/bin/true"])
        defer { var status: Int32 = 0; waitpid(zombie, &status, 0) }
        let sleeper = try spawn(["/bin/sleep", "30"])
        defer { kill(sleeper, SIGKILL); var status: Int32 = 0; waitpid(sleeper, &status, 0) }
        // Wait until /bin/true has exited but stays unreaped.
        let deadline = Date(timeIntervalSinceNow: 10)
        while Date() < deadline, state(of: zombie) != "Z" { usleep(10_000) }
        XCTAssertEqual(state(of: zombie), "Z", "the child is a zombie")
        XCTAssertEqual(kill(zombie, 0), 0, "kill(pid, 0) alone calls a zombie alive")
        let unused = pid_t(Int32.max - 7)
        for pid in [zombie, sleeper, unused] {
            FileManager.default.createFile(atPath: file(".r.jsonl.partial-\(pid).jsonl", in: directory), contents: Data("x".utf8))
        }
        _ = try ResultsFile(path: file("r.jsonl", in: directory))
        XCTAssertEqual(try names(in: directory), [".r.jsonl.partial-\(sleeper).jsonl"], "only the running process's temporary is kept")
    }

    private func spawn(_ arguments: [String]) throws -> pid_t {
        var pid: pid_t = 0
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let result = posix_spawn(&pid, arguments[0], nil, nil, argv, environ)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EINVAL) }
        return pid
    }

    private func state(of pid: pid_t) -> Character? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].drop { $0 == " " }.first
    }
}
