import Foundation
import XCTest

/// The default command: headless output on real footage, window mode under Xvfb, failures.
final class RunCommandTests: XCTestCase {
    func testHeadlessJSONLinesOnTheTalkingWomanClip() throws {
        let clip = try CLI.sharedFile("media/videos/woman_talking_596x336.mp4")
        let result = try CLI.run([clip, "--headless", "--format", "jsonl"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let frames = try result.lines.map(CLI.json)
        XCTAssertEqual(frames.count, 464, "one line per frame of the clip")
        XCTAssertEqual(frames.map { $0["frame"] as? Int }, (0..<464).map { $0 }, "frames numbered from 0")
        var withFace = 0
        var previousTime = -1.0
        for frame in frames {
            let time = try XCTUnwrap(frame["time"] as? Double)
            XCTAssertGreaterThan(time, previousTime, "time follows the source's timestamps")
            previousTime = time
            let faces = try XCTUnwrap(frame["faces"] as? [[String: Any]])
            if !faces.isEmpty { withFace += 1 }
            for face in faces {
                let box = try XCTUnwrap(face["box"] as? [Int])
                guard box.count == 4 else { XCTFail("box \(box) is not [x, y, w, h]"); continue }
                XCTAssertTrue(box[0] >= 0 && box[1] >= 0 && box[0] + box[2] <= 596 && box[1] + box[3] <= 336, "\(box)")
                let probabilities = try XCTUnwrap(face["probabilities"] as? [String: Double])
                XCTAssertEqual(Set(probabilities.keys), Set(CLI.bundledLabels))
                XCTAssertEqual(probabilities.values.reduce(0, +), 1, accuracy: 1e-3)
                let label = try XCTUnwrap(face["label"] as? String)
                XCTAssertEqual(face["confidence"] as? Double ?? -1, probabilities[label] ?? -2, accuracy: 1e-4)
                XCTAssertEqual(probabilities.max { $0.value < $1.value }?.key, label)
            }
        }
        // README of ../shared: Haar finds a face in ~96% of this clip's frames.
        let share = Double(withFace) / Double(frames.count)
        print("woman_talking: a face in \(withFace) of \(frames.count) frames (\(share))")
        XCTAssertGreaterThan(share, 0.90)
        XCTAssertLessThanOrEqual(share, 1.0)
    }

    func testHeadlessTextAndMaxFramesOnAFileWithoutFaces() throws {
        let clip = try CLI.sharedFile("media/videos/cartoon_no_face.mp4")
        let result = try CLI.run([clip, "--headless", "--max-frames", "20"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.lines.count, 20)
        XCTAssertTrue(result.lines.allSatisfy { $0.hasPrefix("frame ") }, result.stdout)
        let jsonl = try CLI.run([clip, "--headless", "--format", "jsonl", "--max-frames", "5"])
        XCTAssertEqual(try jsonl.lines.map { try CLI.json($0)["faces"] as? [Any] }.map { $0?.count }, [0, 0, 0, 0, 0])
    }

    /// Runs without ../shared: a clip ffmpeg synthesizes (a test pattern, no faces).
    func testHeadlessOnAGeneratedClip() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clip = try CLI.patternClip(in: directory)
        let result = try CLI.run([clip, "--headless", "--format", "jsonl"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let frames = try result.lines.map(CLI.json)
        XCTAssertEqual(frames.count, 15)
        XCTAssertEqual(frames.compactMap { $0["frame"] as? Int }, Array(0..<15))
        let times = frames.compactMap { $0["time"] as? Double }
        XCTAssertEqual(times.count, 15)
        XCTAssertEqual(times.last ?? 0, 1.4, accuracy: 0.01, "10 fps: frame 14 at 1.4 s")
        XCTAssertTrue(frames.allSatisfy { ($0["faces"] as? [Any])?.isEmpty == true })
    }

    func testImagesGiveOneLineWithEveryFace() throws {
        let two = try CLI.sharedFile("media/images/two_people.jpg")
        let result = try CLI.run([two, "--headless", "--format", "jsonl"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.lines.count, 1)
        let faces = try XCTUnwrap(try CLI.json(try XCTUnwrap(result.lines.first))["faces"] as? [[String: Any]])
        XCTAssertEqual(faces.count, 2)
        let none = try CLI.run([try CLI.sharedFile("media/images/no_faces.jpg"), "--headless", "--format", "jsonl"])
        XCTAssertEqual(none.lines.count, 1)
        XCTAssertEqual((try CLI.json(try XCTUnwrap(none.lines.first))["faces"] as? [Any])?.count, 0)
    }

    /// A 64x64x1 model with its own label order and [-1, 1] scaling runs live too; its labels
    /// are reported as the model spells them.
    func testHeadlessWithMiniXceptionAndItsMetadata() throws {
        let model = try CLI.sharedFile("models/mini-xception-fer2013.hdf5")
        let clip = try CLI.sharedFile("media/videos/woman_talking_596x336.mp4")
        let labels = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
        let result = try CLI.run([clip, "--headless", "--format", "jsonl", "--max-frames", "30", "--model", model,
                                  "--labels", labels.joined(separator: ","), "--input-scale", "signed"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let frames = try result.lines.map(CLI.json)
        XCTAssertEqual(frames.count, 30)
        let faces = frames.flatMap { $0["faces"] as? [[String: Any]] ?? [] }
        XCTAssertGreaterThan(faces.count, 20)
        for face in faces {
            let probabilities = try XCTUnwrap(face["probabilities"] as? [String: Double])
            XCTAssertEqual(Set(probabilities.keys), Set(labels))
            XCTAssertEqual(probabilities.values.reduce(0, +), 1, accuracy: 1e-3)
        }
    }

    func testWindowModePlaysAClipToItsEndUnderXvfb() throws {
        let clip = try CLI.sharedFile("media/videos/woman_talking_596x336.mp4")
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/xvfb-run") else {
            throw XCTSkip("xvfb-run is not installed (make test installs it)")
        }
        let result = try CLI.run(["-a", "-s", "-screen 0 1024x768x24", CLI.binary.path, clip, "--max-frames", "60"],
                                 executable: URL(fileURLWithPath: "/usr/bin/xvfb-run"), timeout: 120)
        XCTAssertEqual(result.status, 0, "window mode should exit 0 at the end: \(result.stderr)")
    }

    func testMissingSourceModelAndCascadeAreReportedInOneLine() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let absent = directory.appendingPathComponent("absent.mp4").path
        assertCleanFailure(try CLI.run([absent, "--headless"]), naming: absent)
        let notVideo = directory.appendingPathComponent("notes.mp4").path
        try "hello".write(toFile: notVideo, atomically: true, encoding: .utf8)
        assertCleanFailure(try CLI.run([notVideo, "--headless"]), naming: notVideo)
        let noModel = directory.appendingPathComponent("none.h5").path
        assertCleanFailure(try CLI.run([notVideo, "--headless", "--model", noModel]), naming: noModel)
        let noCascade = directory.appendingPathComponent("none.xml").path
        assertCleanFailure(try CLI.run([notVideo, "--headless", "--cascade", noCascade]), naming: noCascade)
    }

    func testCameraThatCannotBeOpenedIsReportedQuickly() throws {
        let start = Date()
        let result = try CLI.run(["/dev/video97", "--headless"], timeout: 30)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("/dev/video97"), result.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(start), 10, "reported within 5 s (plus start-up)")
    }

    func testVersionAndHelp() throws {
        let version = try CLI.run(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertFalse(version.stdout.isEmpty)
        let help = try CLI.run(["--help"])
        XCTAssertEqual(help.status, 0)
        for word in ["infer", "evaluate", "inspect", "bench", "--headless"] {
            XCTAssertTrue(help.stdout.contains(word), "--help should mention \(word)")
        }
    }

    /// Issue 31: `emotion-live --help` (and `-h`, `help`) lists the default run command's
    /// options as option lines, then the subcommands, and its overview names both detectors;
    /// `run --help` and the completion scripts are as before.
    func testRootHelpListsTheRunOptionsThenTheSubcommands() throws {
        let help = try CLI.run(["--help"])
        XCTAssertEqual(help.status, 0, help.stderr)
        let lines = help.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func line(startingWith prefix: String) -> Int? { lines.firstIndex { $0.hasPrefix(prefix) } }
        for option in ["--headless", "--format", "--detector", "--summary", "--output", "--model", "--version", "-h, --help"] {
            XCTAssertNotNil(line(startingWith: "  \(option) "), "an option line for \(option):\n\(help.stdout)")
        }
        XCTAssertNotNil(line(startingWith: "  <source> "), help.stdout)
        let subcommands = try XCTUnwrap(line(startingWith: "SUBCOMMANDS:"), help.stdout)
        XCTAssertLessThan(try XCTUnwrap(line(startingWith: "  --headless ")), subcommands, "options first, then the subcommands")
        for subcommand in ["run (default)", "infer", "evaluate", "inspect", "bench", "serve"] {
            XCTAssertNotNil(lines[subcommands...].first { $0.hasPrefix("  \(subcommand) ") }, "subcommand \(subcommand)")
        }
        let overview = lines[..<(try XCTUnwrap(line(startingWith: "USAGE:")))].joined(separator: " ")
        XCTAssertTrue(overview.contains("Haar cascade") && overview.contains("MTCNN"), overview)
        XCTAssertEqual(try CLI.run(["-h"]).stdout, help.stdout)
        XCTAssertEqual(try CLI.run(["help"]).stdout, help.stdout)

        let run = try CLI.run(["run", "--help"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("USAGE: emotion-live run"), run.stdout)
        XCTAssertTrue(run.stdout.contains("\n  --headless "), run.stdout)
        XCTAssertFalse(run.stdout.contains("SUBCOMMANDS:"), run.stdout)
        let completion = try CLI.run(["--generate-completion-script", "bash"])
        XCTAssertEqual(completion.status, 0, completion.stderr)
        XCTAssertTrue(completion.stdout.contains("--headless"))
        let dump = try CLI.run(["--experimental-dump-help"])
        XCTAssertEqual(dump.status, 0, dump.stderr)
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)), "the man page's source")
    }
}
