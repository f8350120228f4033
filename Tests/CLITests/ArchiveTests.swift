import Foundation
import XCTest

/// Issue 15, archives: headless results written to a file atomically (`--results`), reruns that
/// skip finished files (`--skip-existing`), and GNU parallel over a list of clips, killed
/// mid-way and rerun. Clips are synthesized with ffmpeg (no ../shared needed), except the
/// parallel test's, which are cut from the shared clips when they are there, for faces.
final class ArchiveTests: XCTestCase {
    private func entries(of directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    private func inode(_ path: String) throws -> UInt64 {
        try XCTUnwrap((try FileManager.default.attributesOfItem(atPath: path))[.systemFileNumber] as? UInt64)
    }

    /// The results file holds exactly the bytes standard output gets, in each line format; the
    /// run prints nothing on standard output and leaves nothing else in the directory.
    func testResultsFileHoldsWhatStandardOutputGets() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clip = try CLI.patternClip(in: directory, frames: 12)
        let outputs = directory.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: false)
        for format in ["jsonl", "csv", "text"] {
            let arguments = [clip, "--headless", "--format", format, "--summary"] + (try CLI.modelArguments())
            let printed = try CLI.run(arguments)
            XCTAssertEqual(printed.status, 0, printed.stderr)
            let path = outputs.appendingPathComponent("pattern.\(format)").path
            let written = try CLI.run(arguments + ["--results", path])
            XCTAssertEqual(written.status, 0, written.stderr)
            XCTAssertEqual(written.stdout, "", "--results takes the lines off standard output")
            XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), printed.stdout, "\(format): the same bytes")
        }
        XCTAssertEqual(try entries(of: outputs), ["pattern.csv", "pattern.jsonl", "pattern.text"], "no temporary files left")
    }

    /// `--skip-existing` leaves a finished file alone (same inode: not rewritten) and says so;
    /// without it a rerun replaces the file with the same bytes.
    func testSkipExistingLeavesAFinishedFileAlone() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clip = try CLI.patternClip(in: directory, frames: 5)
        let path = directory.appendingPathComponent("pattern.jsonl").path
        let arguments = [clip, "--headless", "--format", "jsonl", "--results", path] + (try CLI.modelArguments())
        XCTAssertEqual(try CLI.run(arguments).status, 0)
        let first = try String(contentsOfFile: path, encoding: .utf8)
        let firstInode = try inode(path)

        let skipped = try CLI.run(arguments + ["--skip-existing"])
        XCTAssertEqual(skipped.status, 0, skipped.stderr)
        XCTAssertEqual(skipped.stderr, "emotion-live: \(path) exists, skipped\n")
        XCTAssertEqual(try inode(path), firstInode, "a skipped run does not touch the file")

        let rerun = try CLI.run(arguments)
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertNotEqual(try inode(path), firstInode, "without --skip-existing the file is written again")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), first)
    }

    /// SIGTERM mid-run: exit 143, one line saying the results were not written, and nothing
    /// under the name (a file there would tell a rerun the clip is done).
    func testAStoppedRunLeavesNoResultsFile() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clip = try CLI.patternClip(in: directory, frames: 6000)
        let outputs = directory.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: false)
        let path = outputs.appendingPathComponent("long.jsonl").path
        let child = try RunningCLI([clip, "--headless", "--format", "jsonl", "--results", path] + (try CLI.modelArguments()))
        // The temporary file is created before the first frame; wait until frames are in it.
        let deadline = Date(timeIntervalSinceNow: 120)
        var started = false
        while !started && Date() < deadline && child.process.isRunning {
            started = try entries(of: outputs).contains { name in
                name.hasPrefix(".long.jsonl.partial-")
                    && ((try? FileManager.default.attributesOfItem(atPath: outputs.appendingPathComponent(name).path))?[.size] as? Int ?? 0) > 0
            }
            usleep(20_000)
        }
        XCTAssertTrue(started, "frames were being written: \(child.stderr())")
        kill(child.process.processIdentifier, SIGTERM)
        XCTAssertTrue(child.waitForExit(timeout: 60))
        XCTAssertEqual(child.process.terminationStatus, 143, child.stderr())
        XCTAssertEqual(child.stderr(), "emotion-live: \(path) not written: the run was stopped before its end\n")
        XCTAssertEqual(try entries(of: outputs), [], "neither the file nor its temporary")
    }

    /// A run killed outright leaves its temporary file; the next run writing the same name
    /// removes it, but not the temporary of a process that is still alive.
    func testTheNextRunRemovesAKilledRunsTemporary() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clip = try CLI.patternClip(in: directory, frames: 3)
        let outputs = directory.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: false)
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/true")
        try ended.run()
        ended.waitUntilExit()
        let abandoned = ".clip.jsonl.partial-\(ended.processIdentifier).jsonl"
        let alive = ".clip.jsonl.partial-\(getpid()).jsonl"
        for name in [abandoned, alive] {
            XCTAssertTrue(FileManager.default.createFile(atPath: outputs.appendingPathComponent(name).path, contents: Data("{\"frame\"".utf8)))
        }
        let path = outputs.appendingPathComponent("clip.jsonl").path
        let run = try CLI.run([clip, "--headless", "--format", "jsonl", "--results", path] + (try CLI.modelArguments()))
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try entries(of: outputs), [alive, "clip.jsonl"].sorted(), "the dead process's temporary is gone")
    }

    func testResultsFlagsAreCheckedBeforeAnyWork() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clip = try CLI.patternClip(in: directory, frames: 3)
        let windowed = try CLI.run([clip, "--results", directory.appendingPathComponent("r.jsonl").path])
        XCTAssertEqual(windowed.status, 64)
        XCTAssertTrue(windowed.stderr.contains("--results applies with --headless"), windowed.stderr)
        let bare = try CLI.run([clip, "--headless", "--skip-existing"])
        XCTAssertEqual(bare.status, 64)
        XCTAssertTrue(bare.stderr.contains("--skip-existing applies with --results"), bare.stderr)
        let missing = directory.appendingPathComponent("no/such/dir/r.jsonl").path
        assertCleanFailure(try CLI.run([clip, "--headless", "--results", missing] + (try CLI.modelArguments())), naming: missing)
        XCTAssertEqual(try entries(of: directory), ["pattern.mp4"], "nothing created")
    }

    // MARK: GNU parallel

    /// Eight clips, two jobs at a time, through GNU parallel; the whole job is killed
    /// (SIGKILL, parallel and every process below it) once some outputs are done and others are not.
    /// The rerun, the same command, produces only the missing outputs (the finished ones keep
    /// their inode), leaves no temporary behind, and every output is byte-identical to a
    /// single run of its clip on standard output.
    func testGNUParallelKilledMidwayThenRerunProducesOnlyTheMissingOutputs() throws {
        let parallel = try CLI.tool("parallel")
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clips = try makeClips(count: 8, in: directory)
        let outputs = directory.appendingPathComponent("results")
        try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: false)
        let model = try CLI.modelArguments()
        let command = ["--will-cite", "-j2", CLI.binary.path, "{}", "--headless", "--format", "jsonl"]
            + model + ["--results", outputs.path + "/{/.}.jsonl", "--skip-existing", ":::"] + clips
        let expectedNames = clips.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent + ".jsonl" }.sorted()
        func finished() throws -> [String] { try entries(of: outputs).filter { !$0.hasPrefix(".") } }

        let first = try RunningCLI(command, executable: parallel)
        let deadline = Date(timeIntervalSinceNow: 300)
        while try finished().count < 2 && Date() < deadline && first.process.isRunning { usleep(10_000) }
        killTree(first.process.processIdentifier)
        _ = first.waitForExit(timeout: 30)
        let done = try finished()
        XCTAssertGreaterThanOrEqual(done.count, 2, "some clips were done before the kill: \(first.stderr())")
        XCTAssertLessThan(done.count, clips.count, "the kill came mid-way")
        let inodes = try Dictionary(uniqueKeysWithValues: done.map { ($0, try inode(outputs.appendingPathComponent($0).path)) })

        let second = try CLI.run(command, executable: parallel, timeout: 600)
        XCTAssertEqual(second.status, 0, second.stderr)
        let skipped = second.stderr.split(separator: "\n").filter { $0.hasSuffix("exists, skipped") }
        XCTAssertEqual(skipped.count, done.count, "the rerun skipped each finished clip: \(second.stderr)")
        XCTAssertEqual(try entries(of: outputs), expectedNames, "every output, and no temporary left")
        for name in done {
            XCTAssertEqual(try inode(outputs.appendingPathComponent(name).path), inodes[name], "\(name) was not written again")
        }
        for clip in clips {
            let single = try CLI.run([clip, "--headless", "--format", "jsonl"] + model)
            XCTAssertEqual(single.status, 0, single.stderr)
            let name = URL(fileURLWithPath: clip).deletingPathExtension().lastPathComponent + ".jsonl"
            let written = try Data(contentsOf: outputs.appendingPathComponent(name))
            XCTAssertEqual(written, Data(single.stdout.utf8), "\(name) is byte-identical to a single run")
        }
    }

    /// `count` clips of 90 frames: cut from the shared clips with faces when they are there,
    /// test patterns of different kinds otherwise.
    private func makeClips(count: Int, in directory: URL) throws -> [String] {
        let faces = ["woman_crying_640x360.mp4", "woman_talking_596x336.mp4", "dinner_table_854x480.mp4", "profile_performer.mp4"]
            .map { CLI.shared.appendingPathComponent("media/videos/" + $0).path }
            .filter { FileManager.default.fileExists(atPath: $0) }
        let patterns = ["testsrc", "testsrc2", "smptebars", "rgbtestsrc"]
        return try (0..<count).map { index in
            let clip = directory.appendingPathComponent(String(format: "clip%02d.mp4", index)).path
            if faces.isEmpty {
                try CLI.ffmpeg(["-f", "lavfi", "-i", "\(patterns[index % patterns.count])=size=320x240:rate=25",
                                "-frames:v", "90", "-pix_fmt", "yuv420p", clip])
            } else {
                // Different stretches of each clip: each output differs from the others.
                try CLI.ffmpeg(["-ss", "\(index / faces.count * 2)", "-i", faces[index % faces.count], "-frames:v", "90",
                                "-an", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", clip])
            }
            return clip
        }
    }

    /// SIGKILL to `root` and every process below it (GNU parallel and its jobs): each is
    /// stopped first (SIGSTOP), until no new one appears, so none starts another in between.
    private func killTree(_ root: pid_t) {
        var frozen: Set<pid_t> = []
        while true {
            let tree = descendants(of: root).union([root])
            let fresh = tree.subtracting(frozen)
            if fresh.isEmpty { break }
            for pid in fresh { kill(pid, SIGSTOP) }
            frozen.formUnion(fresh)
        }
        for pid in frozen { kill(pid, SIGKILL) }
    }

    private func descendants(of root: pid_t) -> Set<pid_t> {
        var parents: [pid_t: pid_t] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // Fields after the command name: state, ppid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = pid_t(fields[1]) { parents[pid] = parent }
        }
        var found: Set<pid_t> = []
        var grew = true
        while grew {
            grew = false
            for (pid, parent) in parents where !found.contains(pid) && (parent == root || found.contains(parent)) {
                found.insert(pid)
                grew = true
            }
        }
        return found
    }
}
