import Foundation
import XCTest

/// What the tests that make clips or check written files share: the model to run with, and
/// ffmpeg / ffprobe (installed by `make test`; a test skips with a message without them).
extension CLI {
    /// Arguments naming the model: none for the bundled one, or the shared seed CNN while the
    /// bundled one is not there yet.
    /// The bundled model's labels, in output order, from its sidecar (the CSV columns and the
    /// probabilities' keys of every run that uses it).
    static var bundledLabels: [String] {
        let sidecar = URL(fileURLWithPath: bundledModel).deletingPathExtension().appendingPathExtension("meta.json")
        let object = (try? JSONSerialization.jsonObject(with: Data(contentsOf: sidecar))) as? [String: Any]
        return object?["labels"] as? [String] ?? []
    }

    static func modelArguments() throws -> [String] {
        if FileManager.default.fileExists(atPath: bundledModel) { return [] }
        return ["--model", try sharedFile("models/seed-cnn.h5")]
    }

    /// A Debian tool by name, or a skip.
    static func tool(_ name: String) throws -> URL {
        for directory in ["/usr/bin", "/usr/local/bin"] where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
            return URL(fileURLWithPath: "\(directory)/\(name)")
        }
        throw XCTSkip("\(name) is not installed (make test installs it)")
    }

    /// Runs ffmpeg (errors only, overwriting) and expects it to succeed.
    static func ffmpeg(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let made = try run(["-loglevel", "error", "-y"] + arguments, executable: try tool("ffmpeg"))
        XCTAssertEqual(made.status, 0, made.stderr, file: file, line: line)
    }

    /// A clip ffmpeg synthesizes (a test pattern at 320x240, 10 fps, no faces): no ../shared needed.
    static func patternClip(in directory: URL, frames: Int = 15) throws -> String {
        let clip = directory.appendingPathComponent("pattern.mp4").path
        try ffmpeg(["-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-frames:v", "\(frames)", "-pix_fmt", "yuv420p", clip])
        return clip
    }

    /// Frames ffprobe counts by decoding the whole file.
    static func countFrames(_ path: String) throws -> Int? {
        let probe = try run(["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                             "stream=nb_read_frames", "-of", "csv=p=0", path], executable: try tool("ffprobe"))
        XCTAssertEqual(probe.status, 0, probe.stderr)
        return Int(probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// "WIDTH,HEIGHT" of an image or a video's first stream.
    static func imageSize(_ path: String) throws -> String {
        try run(["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", path],
                executable: try tool("ffprobe")).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
