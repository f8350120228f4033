import Foundation
import XCTest

/// Issue 6, end to end: CSV, face ids, smoothing, the summary, image directories, the annotated
/// video, the timeline plot, the progress line and the window's extras, on the shared media
/// (skipped with a message when ../shared is absent) and on clips and images ffmpeg makes.
final class OutputTests: XCTestCase {
    static let labels = CLI.bundledLabels
    static let header = "frame,time,face,x,y,w,h,label,confidence," + labels.joined(separator: ",")

    /// Face ids per frame, and how often each face's label changes.
    private func labelChanges(_ frames: [[String: Any]]) -> (ids: Set<Int>, changes: Int) {
        var last: [Int: String] = [:]
        var changes = 0
        var ids = Set<Int>()
        for frame in frames {
            for face in frame["faces"] as? [[String: Any]] ?? [] {
                guard let id = face["id"] as? Int, let label = face["label"] as? String else { continue }
                ids.insert(id)
                if let previous = last[id], previous != label { changes += 1 }
                last[id] = label
            }
        }
        return (ids, changes)
    }

    // MARK: CSV, ids, smoothing, summary

    func testCSVAndJSONLinesOnTheTalkingWomanWithStableIdsAndASummary() throws {
        let clip = try CLI.sharedFile("media/videos/woman_talking_596x336.mp4")
        let csv = try CLI.run([clip, "--headless", "--format", "csv", "--summary"] + CLI.modelArguments())
        XCTAssertEqual(csv.status, 0, csv.stderr)
        XCTAssertEqual(csv.lines.first, Self.header)
        let rows = csv.lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertTrue(rows.allSatisfy { $0.count == 9 + Self.labels.count }, "9 fields and a probability per label in each row")
        let frameNumbers = rows.compactMap { Int($0[0]) }
        XCTAssertEqual(frameNumbers, frameNumbers.sorted(), "rows in frame order")
        XCTAssertGreaterThan(Set(frameNumbers).count, 420, "Haar finds a face in ~96% of the 464 frames; no row for the others")
        for row in rows.prefix(50) {
            let probabilities = row[9...].compactMap(Double.init)
            XCTAssertEqual(probabilities.reduce(0, +), 1, accuracy: 1e-3)
            XCTAssertEqual(Double(row[8]) ?? -1, probabilities.max() ?? -2, accuracy: 1e-6)
            XCTAssertEqual(row[7], Self.labels[probabilities.firstIndex(of: probabilities.max()!)!])
        }
        let csvIDs = Set(rows.map { $0[2] })
        print("woman_talking: \(csvIDs.count) distinct face ids in \(rows.count) rows: \(csvIDs.sorted())")
        XCTAssertLessThanOrEqual(csvIDs.count, 4, "one woman: one id, and a few short-lived false detections at most")
        let longest = Dictionary(grouping: rows, by: { $0[2] }).values.map(\.count).max() ?? 0
        XCTAssertGreaterThan(Double(longest) / Double(rows.count), 0.85, "one id follows the woman through the clip")
        XCTAssertTrue(csv.stderr.hasPrefix("summary: 464 frames, "), csv.stderr)
        XCTAssertTrue(csv.stderr.contains("face \(rows[0][2]): "), csv.stderr)
        XCTAssertTrue(csv.stderr.contains("all faces: "), csv.stderr)

        let jsonl = try CLI.run([clip, "--headless", "--format", "jsonl", "--summary"] + CLI.modelArguments())
        XCTAssertEqual(jsonl.status, 0, jsonl.stderr)
        XCTAssertEqual(jsonl.stderr, "")
        let objects = try jsonl.lines.map(CLI.json)
        XCTAssertEqual(objects.count, 465, "464 frames and the summary")
        let frames = Array(objects.dropLast())
        let (ids, _) = labelChanges(frames)
        XCTAssertEqual(ids.map(String.init).sorted(), csvIDs.sorted(), "the same ids in both formats")
        let summary = try XCTUnwrap(objects.last?["summary"] as? [String: Any])
        XCTAssertEqual(summary["frames"] as? Int, 464)
        let faces = try XCTUnwrap(summary["faces"] as? [[String: Any]])
        XCTAssertEqual(Set(faces.compactMap { $0["id"] as? Int }), ids)
        for face in faces {
            let shares = try XCTUnwrap(face["shares"] as? [String: Double])
            XCTAssertEqual(Set(shares.keys), Set(Self.labels))
            XCTAssertEqual(shares.values.reduce(0, +), 1, accuracy: 1e-5, "shares are printed with 6 decimals")
        }
        XCTAssertEqual(faces.compactMap { $0["frames"] as? Int }.reduce(0, +), rows.count, "a face-frame per CSV row")
    }

    func testSmoothingSteadiesTheLabels() throws {
        let clip = try CLI.sharedFile("media/videos/woman_crying_640x360.mp4")
        let raw = try CLI.run([clip, "--headless", "--format", "jsonl", "--max-frames", "300"] + CLI.modelArguments())
        let smoothed = try CLI.run([clip, "--headless", "--format", "jsonl", "--max-frames", "300", "--smooth", "0.5"] + CLI.modelArguments())
        let off = try CLI.run([clip, "--headless", "--format", "jsonl", "--max-frames", "300", "--smooth", "0"] + CLI.modelArguments())
        XCTAssertEqual(raw.status, 0, raw.stderr)
        XCTAssertEqual(smoothed.status, 0, smoothed.stderr)
        XCTAssertEqual(off.stdout, raw.stdout, "headless: smoothing is off by default")
        let rawChanges = labelChanges(try raw.lines.map(CLI.json)).changes
        let smoothFrames = try smoothed.lines.map(CLI.json)
        let smoothChanges = labelChanges(smoothFrames).changes
        print("woman_crying, 300 frames: \(rawChanges) label changes raw, \(smoothChanges) with --smooth 0.5")
        XCTAssertLessThan(smoothChanges, rawChanges)
        for face in smoothFrames.flatMap({ $0["faces"] as? [[String: Any]] ?? [] }) {
            let probabilities = try XCTUnwrap(face["probabilities"] as? [String: Double])
            XCTAssertEqual(probabilities.values.reduce(0, +), 1, accuracy: 1e-3)
            XCTAssertEqual(probabilities.max { $0.value < $1.value }?.key, face["label"] as? String, "the label follows the smoothed probabilities")
        }
        XCTAssertNotEqual(try CLI.run([clip, "--headless", "--smooth", "-1"]).status, 0)
    }

    func testCSVOnAGeneratedClipHasOnlyTheHeader() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clip = try CLI.patternClip(in: directory)
        let result = try CLI.run([clip, "--headless", "--format", "csv", "--summary"] + CLI.modelArguments())
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, Self.header + "\n", "no faces: no rows")
        XCTAssertEqual(result.stderr, "summary: 15 frames, 0 with faces\n")
        let jsonl = try CLI.run([clip, "--headless", "--format", "jsonl", "--summary"] + CLI.modelArguments())
        let summary = try XCTUnwrap(try CLI.json(try XCTUnwrap(jsonl.lines.last))["summary"] as? [String: Any])
        XCTAssertEqual(summary["frames"] as? Int, 15)
    }

    // MARK: Image directories and camera requests

    func testTheSharedImageDirectoryInNameOrderWithSources() throws {
        let images = try CLI.sharedFile("media/images")
        let result = try CLI.run([images, "--headless", "--format", "jsonl"] + CLI.modelArguments())
        XCTAssertEqual(result.status, 0, result.stderr)
        let frames = try result.lines.map(CLI.json)
        let names = frames.compactMap { ($0["source"] as? String).map { ($0 as NSString).lastPathComponent } }
        XCTAssertEqual(names, ["group_selfie.jpg", "many_faces.jpg", "no_faces.jpg", "one_face_frontal.jpg",
                               "one_face_portrait.jpg", "one_face_small.jpg", "two_people.jpg"])
        XCTAssertEqual(frames.compactMap { $0["frame"] as? Int }, Array(0..<7))
        let two = try XCTUnwrap(frames.last?["faces"] as? [[String: Any]])
        XCTAssertEqual(two.count, 2)
        let allIDs = frames.flatMap { ($0["faces"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int } }
        XCTAssertEqual(Set(allIDs).count, allIDs.count, "every face of every image has its own id")
        let single = try CLI.run([try CLI.sharedFile("media/images/two_people.jpg"), "--headless", "--format", "jsonl"] + CLI.modelArguments())
        XCTAssertEqual(try CLI.json(try XCTUnwrap(single.lines.first))["source"] as? String,
                       try CLI.sharedFile("media/images/two_people.jpg"))
    }

    /// Images ffmpeg makes, plus a broken file: reported on stderr, skipped, exit 0.
    func testAGeneratedDirectoryWithAnUnreadableEntry() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let made = try CLI.run(["-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=1", "-frames:v", "3",
                                directory.appendingPathComponent("img%02d.png").path], executable: try CLI.tool("ffmpeg"))
        XCTAssertEqual(made.status, 0, made.stderr)
        let broken = directory.appendingPathComponent("img01b.jpg").path
        try "not a picture".write(toFile: broken, atomically: true, encoding: .utf8)
        let result = try CLI.run([directory.path, "--headless", "--format", "jsonl"] + CLI.modelArguments())
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try result.lines.map(CLI.json).compactMap { ($0["source"] as? String).map { ($0 as NSString).lastPathComponent } },
                       ["img01.png", "img02.png", "img03.png"])
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("img01b.jpg: skipped"), result.stderr)
        let text = try CLI.run([directory.path, "--headless"] + CLI.modelArguments())
        XCTAssertTrue(text.lines.first?.hasSuffix("img01.png: no faces") == true, text.stdout)

        let empty = directory.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: false)
        assertCleanFailure(try CLI.run([empty.path, "--headless"] + CLI.modelArguments()), naming: empty.path)
    }

    func testCameraRequestsAreValidatedAndPassedOn() throws {
        XCTAssertNotEqual(try CLI.run(["--headless", "--width", "-1"]).status, 0)
        XCTAssertNotEqual(try CLI.run(["--headless", "--fps", "5000"]).status, 0)
        let result = try CLI.run(["/dev/video97", "--headless", "--width", "640", "--height", "480", "--fps", "15"] + CLI.modelArguments(), timeout: 30)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("/dev/video97"), result.stderr)
        let help = try CLI.run(["run", "--help"])
        for option in ["--width", "--height", "--fps", "--smooth", "--summary", "--output", "--timeline", "csv"] {
            XCTAssertTrue(help.stdout.contains(option), "--help documents \(option)")
        }
    }

    /// The same clip gives the same lines every time (face ids follow the detector's order,
    /// which OpenCV's threads used to shuffle), and writing the annotated video beside them
    /// (colour frames instead of a headless run's grey ones) changes none of them.
    func testRunsRepeatAndAnAnnotatedVideoChangesNothingPrinted() throws {
        let clip = try CLI.sharedFile("media/videos/dinner_table_854x480.mp4")
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = try [clip, "--headless", "--format", "jsonl", "--max-frames", "60"] + CLI.modelArguments()
        let first = try CLI.run(arguments)
        let second = try CLI.run(arguments)
        let video = directory.appendingPathComponent("annotated.mp4").path
        let annotated = try CLI.run(arguments + ["--output", video])
        for result in [first, second, annotated] { XCTAssertEqual(result.status, 0, result.stderr) }
        XCTAssertEqual(first.lines.count, 60)
        XCTAssertEqual(second.stdout, first.stdout, "a second run printed other lines")
        XCTAssertEqual(annotated.stdout, first.stdout, "writing --output changed the printed lines")
    }

    // MARK: Files: annotated video, timeline

    func testAnnotatedVideoOfTheTalkingWomanHasEveryFrame() throws {
        let clip = try CLI.sharedFile("media/videos/woman_talking_596x336.mp4")
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let video = directory.appendingPathComponent("annotated.mp4").path
        let plot = directory.appendingPathComponent("timeline.png").path
        let result = try CLI.run([clip, "--headless", "--format", "csv", "--output", video, "--timeline", plot] + CLI.modelArguments())
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try CLI.countFrames(video), 464, "ffprobe decodes every frame")
        XCTAssertEqual(try CLI.imageSize(video), "596,336")
        XCTAssertTrue(try CLI.imageSize(plot).hasPrefix("1200,"), "the timeline is a PNG 1200 px wide")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted(), ["annotated.mp4", "timeline.png"],
                       "no temporary files left")
    }

    /// Variable frame rate and HEVC sources: the annotated file still has every frame.
    func testAnnotatedVideoOfVariableRateAndHEVCClips() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, size) in [("phone_smile_vfr.mp4", "596,336"), ("face_then_cartoon_hevc.mov", "960,540")] {
            let clip = try CLI.sharedFile("media/videos/\(name)")
            let video = directory.appendingPathComponent(name + ".avi").path
            let result = try CLI.run([clip, "--headless", "--format", "csv", "--output", video] + CLI.modelArguments())
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(try CLI.countFrames(video), try CLI.countFrames(clip), name)
            XCTAssertEqual(try CLI.imageSize(video), size, name)
        }
    }

    func testAnnotatedAVIAndTimelineOfAGeneratedClip() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clip = try CLI.patternClip(in: directory, frames: 25)
        let video = directory.appendingPathComponent("out.avi").path
        let plot = directory.appendingPathComponent("plot.png").path
        let result = try CLI.run([clip, "--headless", "--output", video, "--timeline", plot] + CLI.modelArguments())
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try CLI.countFrames(video), 25)
        XCTAssertEqual(try CLI.imageSize(video), "320,240")
        XCTAssertTrue(FileManager.default.fileExists(atPath: plot))
    }

    func testUnwritableOutputsAreRefusedBeforeProcessing() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clip = try CLI.patternClip(in: directory)
        let missing = directory.appendingPathComponent("no/such/dir/out.mp4").path
        assertCleanFailure(try CLI.run([clip, "--headless", "--output", missing] + CLI.modelArguments()), naming: missing)
        let wrongKind = directory.appendingPathComponent("out.mkv").path
        assertCleanFailure(try CLI.run([clip, "--headless", "--output", wrongKind] + CLI.modelArguments()), naming: wrongKind)
        let plotInDirectory = directory.appendingPathComponent("sub").path
        try FileManager.default.createDirectory(atPath: plotInDirectory, withIntermediateDirectories: false)
        assertCleanFailure(try CLI.run([clip, "--headless", "--timeline", plotInDirectory] + CLI.modelArguments()), naming: plotInDirectory)
        if getuid() != 0 {
            let readOnly = directory.appendingPathComponent("ro")
            try FileManager.default.createDirectory(at: readOnly, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o555])
            let path = readOnly.appendingPathComponent("out.mp4").path
            assertCleanFailure(try CLI.run([clip, "--headless", "--output", path] + CLI.modelArguments()), naming: path)
        }
        // A run that fails (here: the source is not a video) leaves no file under the name.
        let notVideo = directory.appendingPathComponent("notes.mp4").path
        try "hello".write(toFile: notVideo, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("never.mp4").path
        // (FFmpeg may print its own complaints about the file before ours.)
        let failed = try CLI.run([notVideo, "--headless", "--output", out] + CLI.modelArguments())
        XCTAssertEqual(failed.status, 1)
        XCTAssertTrue(failed.stderr.contains("\(notVideo): cannot read source"), failed.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".mp4") || $0.hasPrefix(".") }.sorted(),
                       ["notes.mp4", "pattern.mp4"], "no output and no temporary file")
    }

    // MARK: Progress and window

    func testProgressOnlyOnATerminal() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clip = try CLI.patternClip(in: directory, frames: 40)
        let piped = try CLI.run([clip, "--headless", "--format", "csv"] + CLI.modelArguments())
        XCTAssertEqual(piped.stderr, "", "no progress in pipes")
        // script(1) gives the command a terminal; stdout and stderr both land in the transcript.
        let command = ([CLI.binary.path, clip, "--headless", "--format", "csv"] + (try CLI.modelArguments()))
            .map { "'\($0)'" }.joined(separator: " ")
        let onTerminal = try CLI.run(["-qec", command, "/dev/null"], executable: try CLI.tool("script"))
        XCTAssertEqual(onTerminal.status, 0, onTerminal.stdout)
        XCTAssertTrue(onTerminal.stdout.contains("frame 1/40 (2%)"), onTerminal.stdout)
        XCTAssertTrue(onTerminal.stdout.contains(" fps"), onTerminal.stdout)
    }

    func testWindowModeWritesTheAnnotatedClipUnderXvfb() throws {
        let clip = try CLI.sharedFile("media/videos/woman_talking_596x336.mp4")
        let xvfb = try CLI.tool("xvfb-run")
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let video = directory.appendingPathComponent("window.avi").path
        let result = try CLI.run(XDisplay.xvfbRunArguments + [CLI.binary.path, clip, "--max-frames", "90",
                                                              "--output", video, "--summary"] + CLI.modelArguments(), executable: xvfb, timeout: 120)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("summary: "), "the summary goes to stderr in a window: \(result.stderr)")
        // Frames the window skips to keep real time are repeated, so the file covers the frames shown.
        XCTAssertGreaterThanOrEqual(try CLI.countFrames(video) ?? 0, 85)
    }

    /// Keys in the window, sent with xdotool under Xvfb: space pauses (the picture stops) and
    /// resumes (it moves again), s saves a snapshot in the working directory (its path on
    /// stderr), q quits before the clip's end. Each key is sent once the previous one has taken
    /// effect: the window reads one key per turn of its event loop.
    func testWindowKeysSnapshotPauseAndQuitUnderXvfb() throws {
        let clip = try CLI.sharedFile("media/videos/woman_talking_596x336.mp4")
        let xvfb = try CLI.tool("xvfb-run")
        _ = try CLI.tool("xdotool")
        _ = try CLI.tool("ffmpeg")  // x11grab: whether the picture moves
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let start = Date()
        // The shell prints its pid, which emotion-live takes over (exec): the display is read
        // from its environment.
        let child = try RunningCLI(XDisplay.xvfbRunArguments + ["bash", "-c", #"cd "$1" && echo $$ && exec "${@:2}""#,
                                                                "bash", directory.path, CLI.binary.path, clip] + CLI.modelArguments(), executable: xvfb)
        XCTAssertTrue(child.waitForLines(1, timeout: 60), "the run's pid: \(child.stderr())")
        let pid = try XCTUnwrap(child.lines().first.flatMap { pid_t($0) }, child.stdout())
        var found: XDisplay?
        try waitUntil("the run's X display", timeout: 30, process: child.process) {
            found = XDisplay(process: pid)
            return found != nil
        }
        let screen = try XCTUnwrap(found)
        try waitUntil("the window on screen: \(child.stderr())", timeout: 60, process: child.process) {
            try screen.showsWindow(titled: "emotion-live")
        }
        // Paused: the same picture for half a second (a playing clip changes it 30 times a second).
        var shown: Data?
        var since = Date()
        func stillFor(_ seconds: TimeInterval) throws -> Bool {
            let now = try screen.screenshot()
            if now == nil || now != shown {
                shown = now
                since = Date()
                return false
            }
            return Date().timeIntervalSince(since) >= seconds
        }
        XCTAssertTrue(try screen.xdotool(["mousemove", "100", "100", "key", "space"]))
        try waitUntil("the picture to stop after space", timeout: 30, process: child.process) { try stillFor(0.5) }
        let paused = shown

        XCTAssertTrue(try screen.xdotool(["key", "s"]))
        func snapshots() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("emotion-live-") }
        }
        try waitUntil("the snapshot after s", timeout: 30, process: child.process) { try !snapshots().isEmpty }

        XCTAssertTrue(try screen.xdotool(["key", "space"]))
        try waitUntil("the picture to move again after the second space", timeout: 30, process: child.process) {
            try screen.screenshot().map { $0 != paused } ?? false
        }
        XCTAssertTrue(try screen.xdotool(["key", "q"]))
        XCTAssertTrue(child.waitForExit(timeout: 30), "q ends the run")
        XCTAssertEqual(child.process.terminationStatus, 0, child.stderr())
        XCTAssertLessThan(Date().timeIntervalSince(start), 14, "q ended the 15.5 s clip early")
        let stderr = child.stderr()
        let saved = try snapshots()
        XCTAssertEqual(saved.count, 1, "one snapshot: \(saved)")
        let snapshot = directory.appendingPathComponent(saved.first ?? "none").path
        XCTAssertTrue(stderr.contains("saved snapshot \(snapshot)"), stderr)
        XCTAssertTrue(snapshot.hasSuffix(".png"))
        XCTAssertEqual(try CLI.imageSize(snapshot), "596,336", "the picture as shown, at the clip's size")
    }
}
