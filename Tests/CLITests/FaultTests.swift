import Foundation
import XCTest

/// Issue 7, end to end through the binary: a run that is interrupted (SIGINT, SIGTERM), whose
/// reader goes away (`| head`), that gets 4K, 8K or larger frames, or that runs five times
/// longer; issue 31: a broken picture, a device, a FIFO or an empty file as the source. Clips
/// are made here with ffmpeg from the shared media (skipped with a message when ../shared or
/// ffmpeg is absent); no assertion depends on how fast the machine is, beyond generous limits
/// that only catch a hang.
final class FaultTests: XCTestCase {
    /// A shared clip played `times` times in a row, in one file (stream copy: no re-encoding).
    private func loopedClip(_ name: String, times: Int, in directory: URL) throws -> String {
        let clip = try CLI.sharedFile("media/videos/\(name)")
        let looped = directory.appendingPathComponent("looped\(times)x-\(name)").path
        try CLI.ffmpeg(["-stream_loop", "\(times - 1)", "-i", clip, "-c", "copy", looped])
        return looped
    }

    private func entries(of directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    // MARK: Signals

    /// SIGINT (Ctrl-C) and SIGTERM (`kill`, a service manager) mid-run: exit 130 and 143, every
    /// line printed is a whole JSON object, frames numbered from 0 without a hole, the summary
    /// covers exactly those frames, and the annotated video and the timeline are in place (no
    /// hidden temporary file left) with as many frames as were printed.
    func testSIGINTAndSIGTERMFinishTheFrameFinalizeTheFilesAndExit130And143() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // 1392 frames: a run far longer than the few seconds before the signal.
        let clip = try loopedClip("woman_talking_596x336.mp4", times: 3, in: directory)
        for (signal, status) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            let outputs = directory.appendingPathComponent("outputs-\(signal)")
            try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: false)
            let video = outputs.appendingPathComponent("out.mp4").path
            let plot = outputs.appendingPathComponent("plot.png").path
            let child = try RunningCLI([clip, "--headless", "--format", "jsonl", "--summary", "--output", video,
                                        "--timeline", plot] + CLI.modelArguments())
            XCTAssertTrue(child.waitForLines(10, timeout: 120), "ten frames printed before the signal: \(child.stderr())")
            kill(child.process.processIdentifier, signal)
            XCTAssertTrue(child.waitForExit(timeout: 60), "the run ends soon after signal \(signal)")
            XCTAssertEqual(child.process.terminationReason, .exit, "an exit, not a death by signal \(signal)")
            XCTAssertEqual(child.process.terminationStatus, status, child.stderr())
            XCTAssertEqual(child.stderr(), "", "no message for a signal asked for")

            let lines = child.lines()
            let summary = try CLI.json(try XCTUnwrap(lines.last))
            let frames = try lines.dropLast().map { try CLI.json($0) }
            XCTAssertTrue(child.stdout().hasSuffix("\n"), "the last line is whole")
            XCTAssertEqual(frames.map { $0["frame"] as? Int }, Array(0..<frames.count), "frames from 0, none lost")
            XCTAssertLessThan(frames.count, 1392, "the signal ended the run early")
            let counts = try XCTUnwrap(summary["summary"] as? [String: Any], "the summary line comes last")
            XCTAssertEqual(counts["frames"] as? Int, frames.count, "the summary counts the frames printed")
            XCTAssertEqual(try CLI.countFrames(video), frames.count, "the video plays with every frame printed")
            XCTAssertEqual(try CLI.imageSize(video), "596,336")
            XCTAssertEqual(try CLI.imageSize(plot).split(separator: ",").first, "1200", "the timeline is written")
            XCTAssertEqual(try entries(of: outputs), ["out.mp4", "plot.png"], "no temporary files left")
        }
    }

    /// In a window, a still stays up until a key is pressed: SIGINT ends that wait too, with
    /// status 130 and the annotated video in place. (The video's temporary name carries the
    /// process id: the test signals emotion-live itself, not xvfb-run around it.)
    func testSIGINTEndsAWindowWaitingForAKey() throws {
        let image = try CLI.sharedFile("media/images/group_selfie.jpg")
        let xvfb = try CLI.tool("xvfb-run")
        _ = try CLI.tool("ffmpeg")  // x11grab: whether the still is on screen
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let video = directory.appendingPathComponent("window.avi").path
        let child = try RunningCLI(XDisplay.xvfbRunArguments + [CLI.binary.path, image, "--output", video] + CLI.modelArguments(),
                                   executable: xvfb)
        var pid: pid_t?
        try waitUntil("the window to open and the video to start (.window.avi.partial-PID): \(child.stderr())",
                      timeout: 120, process: child.process) {
            pid = try entries(of: directory).lazy.compactMap { name -> pid_t? in
                guard name.hasPrefix(".window.avi.partial-") else { return nil }
                return pid_t(name.dropFirst(".window.avi.partial-".count).prefix { $0.isNumber })
            }.first
            return pid != nil
        }
        let running = try XCTUnwrap(pid, "the window opened and the video was started")
        // The still is on screen once it has been classified and shown: from then on the run
        // waits for a key (the picture is painted by that wait's event loop), so the signal
        // comes during the wait, never before the frame.
        let screen = try XCTUnwrap(XDisplay(process: running), "the run's X display")
        try waitUntil("the still on screen: \(child.stderr())", timeout: 120, process: child.process) { try screen.showsPicture() }
        kill(running, SIGINT)
        XCTAssertTrue(child.waitForExit(timeout: 60), "SIGINT ends the wait for a key")
        XCTAssertEqual(child.process.terminationStatus, 130, child.stderr())
        XCTAssertEqual(try entries(of: directory), ["window.avi"], "the video is in place, no temporary file")
        XCTAssertLessThanOrEqual(try CLI.countFrames(video) ?? 0, 1)
    }

    // MARK: Closed standard output

    /// `emotion-live clip --headless | head -1`: once the reader has gone, the run stops at the
    /// next line it cannot write, exits 0 without a word on stderr (no SIGPIPE death, status
    /// 141, no backtrace), and the annotated video holds the frames done until then.
    func testAClosedStandardOutputEndsTheRunQuietly() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clip = try loopedClip("woman_talking_596x336.mp4", times: 3, in: directory)
        let video = directory.appendingPathComponent("out.avi").path
        for format in ["text", "jsonl", "csv"] {
            let child = try RunningCLI([clip, "--headless", "--format", format, "--output", video, "--summary"] + CLI.modelArguments(),
                                       collectStandardOutput: false)
            let first = child.readLine(timeout: 120)
            XCTAssertNotNil(first, "\(format): a first line: \(child.stderr())")
            child.closeStandardOutput()
            XCTAssertTrue(child.waitForExit(timeout: 120), "\(format): the run ends once its reader has gone")
            XCTAssertEqual(child.process.terminationReason, .exit, "\(format): not killed by SIGPIPE")
            XCTAssertEqual(child.process.terminationStatus, 0, "\(format): \(child.stderr())")
            // With --summary in text and csv mode the summary goes to stderr, which is still open.
            let stderr = child.stderr()
            XCTAssertFalse(stderr.contains("Fatal") || stderr.contains("Backtrace") || stderr.contains("cannot write"), stderr)
            XCTAssertTrue(format == "jsonl" ? stderr.isEmpty : stderr.hasPrefix("summary: "), "\(format): \(stderr)")
            let written = try XCTUnwrap(try CLI.countFrames(video))
            XCTAssertGreaterThan(written, 0, "\(format): the frames done are in the video")
            XCTAssertLessThan(written, 1392, "\(format): the run did not go on to the end of the clip")
        }
        XCTAssertEqual(try entries(of: directory).filter { $0.hasPrefix(".") }, [], "no temporary files left")
    }

    // MARK: Very large frames

    /// 4K and 8K video (H.264) and an 8K still work: one line per frame with the face found,
    /// boxes in source pixels, and an annotated video at the source's size.
    func testFourKAndEightKFramesWork() throws {
        let clip = try CLI.sharedFile("media/videos/woman_talking_596x336.mp4")
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (width, height) in [(3840, 2160), (7680, 4320)] {
            let big = directory.appendingPathComponent("\(height)p.mp4").path
            try CLI.ffmpeg(["-i", clip, "-frames:v", "3", "-vf", "scale=\(width):\(height)", "-c:v", "libx264",
                        "-preset", "ultrafast", "-pix_fmt", "yuv420p", big])
            let video = directory.appendingPathComponent("annotated-\(height)p.avi").path
            let result = try CLI.run([big, "--headless", "--format", "jsonl", "--output", video] + CLI.modelArguments(), timeout: 300)
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(result.lines.count, 3, "\(width)x\(height): one line per frame")
            for line in result.lines {
                let faces = try XCTUnwrap(try CLI.json(line)["faces"] as? [[String: Any]])
                XCTAssertEqual(faces.count, 1, "\(width)x\(height): the face is found: \(line.prefix(200))")
                let box = try XCTUnwrap(faces.first?["box"] as? [Int])
                XCTAssertGreaterThan(box[2], width / 8, "a box in source pixels")
            }
            XCTAssertEqual(try CLI.countFrames(video), 3)
            XCTAssertEqual(try CLI.imageSize(video), "\(width),\(height)")
        }
        let still = directory.appendingPathComponent("still-8k.jpg").path
        try CLI.ffmpeg(["-i", clip, "-frames:v", "1", "-vf", "scale=7680:4320", still])
        let result = try CLI.run([still, "--headless", "--format", "jsonl"] + CLI.modelArguments(), timeout: 300)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.lines.count, 1)
        XCTAssertEqual((try CLI.json(result.lines[0])["faces"] as? [Any])?.count, 1, result.stdout)
    }

    /// Frames beyond the limit (8192x8192 pixels' worth; here 12000x8000) are refused before
    /// any frame is processed, in one line naming the file, its size and the limit.
    func testFramesBeyondTheLimitAreRefusedInOneLine() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let still = directory.appendingPathComponent("huge.jpg").path
        try CLI.ffmpeg(["-f", "lavfi", "-i", "color=c=gray:size=12000x8000", "-frames:v", "1", still])
        let clip = directory.appendingPathComponent("huge.avi").path
        try CLI.ffmpeg(["-f", "lavfi", "-i", "color=c=gray:size=12000x8000:rate=5", "-frames:v", "2", "-c:v", "mjpeg", clip])
        for path in [still, clip] {
            let output = directory.appendingPathComponent("out.mp4").path
            let result = try CLI.run([path, "--headless", "--output", output] + CLI.modelArguments())
            assertCleanFailure(result, naming: path)
            XCTAssertTrue(result.stderr.contains("12000x8000") && result.stderr.contains("8192x8192"), result.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: output), "no output for a refused source")
        }
    }

    // MARK: Broken inputs (issue 31)

    /// A cut PNG and a cut JPEG, and a PNG with one byte changed: exactly one line on stderr,
    /// ours (naming the file and what is wrong; libpng's "Read Error" and libjpeg's "Premature
    /// end of JPEG file" came first before), exit status 1, nothing on stdout (a cut JPEG used
    /// to decode, grey below the cut, and print a result). Pictures made here with ffmpeg.
    func testACutOrDamagedPictureIsOneLineOfOurs() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, format) in [("picture.png", "PNG"), ("picture.jpg", "JPEG")] {
            let whole = directory.appendingPathComponent(name).path
            try CLI.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=160x120", "-frames:v", "1", whole])
            let bytes = try Data(contentsOf: URL(fileURLWithPath: whole))
            let cut = directory.appendingPathComponent("cut-\(name)").path
            try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))
            let result = try CLI.run([cut, "--headless"] + CLI.modelArguments(), timeout: 60)
            assertCleanFailure(result, naming: cut)
            XCTAssertTrue(result.stderr.contains("truncated \(format) file"), result.stderr)
        }
        var damaged = try Data(contentsOf: directory.appendingPathComponent("picture.png"))
        damaged[damaged.count - 20] ^= 0x40  // inside the last IDAT chunk's data
        let changed = directory.appendingPathComponent("changed.png").path
        try damaged.write(to: URL(fileURLWithPath: changed))
        let result = try CLI.run([changed, "--headless", "--format", "jsonl"] + CLI.modelArguments(), timeout: 60)
        assertCleanFailure(result, naming: changed)
        XCTAssertTrue(result.stderr.contains("corrupt PNG file (CRC error in the IDAT chunk"), result.stderr)
    }

    /// A device, an empty file and a FIFO are named as what they are, never "no such file",
    /// in one line; the FIFO without waiting for a writer (the run is killed, and the test
    /// fails, after 30 s).
    func testDevicesEmptyFilesAndFIFOsAreNamedAsSuch() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let device = try CLI.run(["/dev/null", "--headless"] + CLI.modelArguments(), timeout: 30)
        assertCleanFailure(device, naming: "/dev/null")
        XCTAssertTrue(device.stderr.contains("not a regular file (a character device)"), device.stderr)
        XCTAssertFalse(device.stderr.contains("no such file"), device.stderr)
        for name in ["empty.png", "empty.mp4"] {
            let empty = directory.appendingPathComponent(name).path
            XCTAssertTrue(FileManager.default.createFile(atPath: empty, contents: Data()))
            let result = try CLI.run([empty, "--headless"] + CLI.modelArguments(), timeout: 30)
            assertCleanFailure(result, naming: empty)
            XCTAssertTrue(result.stderr.hasSuffix(": empty file\n"), result.stderr)
        }
        for name in ["fifo", "fifo.jpg"] {
            let fifo = directory.appendingPathComponent(name).path
            XCTAssertEqual(mkfifo(fifo, 0o600), 0)
            let result = try CLI.run([fifo, "--headless"] + CLI.modelArguments(), timeout: 30)
            assertCleanFailure(result, naming: fifo)
            XCTAssertTrue(result.stderr.contains("not a regular file (a FIFO)"), result.stderr)
        }
    }

    // MARK: Memory over long runs

    /// A run over the same clip five times over peaks within 10% of a run over it once, with
    /// every per-frame and per-face consumer on: headless JSON lines, the summary, the annotated
    /// video and the timeline. Peak resident memory of each child from wait4's rusage (a
    /// ratio of two runs on the same machine, not a timing).
    func testPeakMemoryOfAFiveTimesLongerRunIsWithinTenPercent() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let once = try CLI.sharedFile("media/videos/phone_smile_vfr.mp4")
        let fiveTimes = try loopedClip("phone_smile_vfr.mp4", times: 5, in: directory)
        func peak(_ clip: String, _ tag: String) throws -> Int {
            let arguments = [clip, "--headless", "--format", "jsonl", "--summary",
                             "--output", directory.appendingPathComponent("\(tag).mp4").path,
                             "--timeline", directory.appendingPathComponent("\(tag).png").path] + (try CLI.modelArguments())
            let (status, kilobytes) = try peakResidentKilobytes(CLI.binary.path, arguments)
            XCTAssertEqual(status, 0, "emotion-live \(arguments.joined(separator: " "))")
            return kilobytes
        }
        let peak1 = try peak(once, "once"), peak5 = try peak(fiveTimes, "five")
        print("peak RSS: 1x \(peak1) KB, 5x \(peak5) KB, ratio \(Double(peak5) / Double(peak1))")
        XCTAssertEqual(try CLI.countFrames(directory.appendingPathComponent("five.mp4").path), 575, "the long run did run")
        XCTAssertLessThanOrEqual(Double(peak5), 1.10 * Double(peak1), "peak RSS 1x \(peak1) KB, 5x \(peak5) KB")
    }

    /// Runs `executable` to its end (stdout and stderr to /dev/null) and returns its exit status
    /// and its peak resident set in kilobytes (`ru_maxrss`), reaped with wait4 so the usage is
    /// that child's alone.
    private func peakResidentKilobytes(_ executable: String, _ arguments: [String]) throws -> (status: Int32, kilobytes: Int) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw XCTSkip("cannot start \(executable): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let exited = status & 0x7f == 0
        return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), usage.ru_maxrss)
    }
}

/// The binary running in the background, its standard output read as it comes: for the tests
/// that act on a run in progress (a signal, a reader that leaves).
final class RunningCLI {
    let process = Process()
    private let out = Pipe(), err = Pipe()
    private let lock = NSCondition()
    private var outData = Data()
    private var errData = Data()
    private var outClosed = false
    private var errClosed = false
    private let collecting: Bool

    /// `collectStandardOutput` false leaves standard output to `readLine` and
    /// `closeStandardOutput` (a reader that leaves after one line).
    init(_ arguments: [String], executable: URL? = nil, collectStandardOutput: Bool = true) throws {
        process.executableURL = executable ?? CLI.binary
        process.arguments = arguments
        process.currentDirectoryURL = CLI.packageRoot
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        collecting = collectStandardOutput
        try process.run()
        // Standard error is read as it comes too: a test may wait for a line on it (an outage
        // reported) while the run goes on.
        let errHandle = err.fileHandleForReading
        Thread.detachNewThread { [self] in
            while true {
                let chunk = errHandle.availableData
                lock.lock()
                if chunk.isEmpty { errClosed = true } else { errData.append(chunk) }
                lock.broadcast()
                lock.unlock()
                if chunk.isEmpty { break }
            }
        }
        if collectStandardOutput {
            let outHandle = out.fileHandleForReading
            Thread.detachNewThread { [self] in
                while true {
                    let chunk = outHandle.availableData
                    lock.lock()
                    if chunk.isEmpty { outClosed = true } else { outData.append(chunk) }
                    lock.broadcast()
                    lock.unlock()
                    if chunk.isEmpty { break }
                }
            }
        }
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// Waits until `count` whole lines have been printed (false: the time ran out, or the
    /// output ended first).
    func waitForLines(_ count: Int, timeout: TimeInterval) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        lock.lock()
        defer { lock.unlock() }
        while outData.filter({ $0 == 0x0A }).count < count {
            if outClosed || !lock.wait(until: deadline) { return outData.filter { $0 == 0x0A }.count >= count }
        }
        return true
    }

    /// One line read straight from the pipe (nil: none within `timeout`).
    func readLine(timeout: TimeInterval) -> String? {
        let handle = out.fileHandleForReading
        var line = Data()
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            var poller = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) > 0 else { continue }
            var byte: UInt8 = 0
            guard read(handle.fileDescriptor, &byte, 1) == 1 else { return nil }
            if byte == 0x0A { return String(decoding: line, as: UTF8.self) }
            line.append(byte)
        }
        return nil
    }

    /// The reader leaves: the pipe's only read end is closed.
    func closeStandardOutput() {
        try? out.fileHandleForReading.close()
    }

    /// Waits for the process to end; false if it is still running after `timeout` (it is then
    /// killed, so a hang fails the test instead of stalling it).
    func waitForExit(timeout: TimeInterval) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return false
        }
        process.waitUntilExit()
        // The readers finish once the pipes reach their end.
        let drained = Date(timeIntervalSinceNow: 10)
        lock.lock()
        while (!errClosed || (collecting && !outClosed)) && Date() < drained { _ = lock.wait(until: drained) }
        lock.unlock()
        return true
    }

    func stdout() -> String {
        lock.lock(); defer { lock.unlock() }
        return String(decoding: outData, as: UTF8.self)
    }

    func lines() -> [String] { stdout().split(separator: "\n").map(String.init) }

    /// Standard error, complete once the process has ended (`waitForExit`); empty before.
    func stderr() -> String {
        lock.lock(); defer { lock.unlock() }
        return String(decoding: errData, as: UTF8.self)
    }
}
