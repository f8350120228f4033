import Foundation
import XCTest

/// Video files end to end: damaged files give every frame that decodes and then name the
/// problem; a file of which nothing decodes fails in one line; a headless run does not link the
/// OpenCV modules it does not need.
final class VideoDecodeTests: XCTestCase {
    /// woman_crying_640x360.mp4 has its index (moov) before its data, so a copy cut short still
    /// opens and plays up to the cut. 472 frames.
    private let clipName = "media/videos/woman_crying_640x360.mp4"
    private let clipFrames = 472

    /// A copy of the clip with `edit` applied to its bytes, in a fresh directory.
    private func damagedCopy(named name: String, _ edit: (inout Data) -> Void) throws -> (path: String, directory: URL) {
        let original = try Data(contentsOf: URL(fileURLWithPath: try CLI.sharedFile(clipName)))
        let directory = try CLI.temporaryDirectory()
        var bytes = original
        edit(&bytes)
        let path = directory.appendingPathComponent(name).path
        try bytes.write(to: URL(fileURLWithPath: path))
        return (path, directory)
    }

    /// Frames numbered 0..<n, one JSON line each; n.
    private func frameCount(_ result: CLI.Result, file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let frames = try result.lines.map(CLI.json)
        XCTAssertEqual(frames.map { $0["frame"] as? Int }, Array(0..<frames.count), "frames numbered from 0", file: file, line: line)
        return frames.count
    }

    /// `head -c 800000` of the clip: the frames up to the cut, then one line on stderr naming the
    /// file, "truncated" and the last frame; exit status 0 (frames were read).
    func testATruncatedClipGivesItsFramesThenSaysItIsTruncated() throws {
        let (path, directory) = try damagedCopy(named: "cut.mp4") { $0 = $0.prefix(800_000) }
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLI.run([path, "--headless", "--format", "jsonl"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let count = try frameCount(result)
        XCTAssertGreaterThan(count, 100, "the frames before the cut")
        XCTAssertLessThan(count, clipFrames)
        let lines = result.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, result.stderr)
        XCTAssertTrue(result.stderr.hasPrefix("\(path): truncated: the data ends after frame \(count - 1) (\(count) of \(clipFrames) frames read"),
                      result.stderr)
        print("truncated copy: \(count) frames; stderr: \(result.stderr)")
    }

    /// 20,000 bytes of noise written over the middle of the clip (as `dd conv=notrunc` would):
    /// every frame that decodes is processed, then one line names the file and says "corrupt".
    func testACorruptClipGivesTheFramesThatDecodeThenSaysItIsCorrupt() throws {
        let (path, directory) = try damagedCopy(named: "noisy.mp4") { bytes in
            var state: UInt32 = 12345  // a fixed LCG: the same damage on every run
            for offset in 700_000..<720_000 {
                state = state &* 1_103_515_245 &+ 12345
                bytes[offset] = UInt8(truncatingIfNeeded: state >> 16)
            }
        }
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLI.run([path, "--headless", "--format", "jsonl"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let count = try frameCount(result)
        XCTAssertGreaterThan(count, 400, "frames before and after the damage")
        XCTAssertLessThanOrEqual(count, clipFrames)
        let lines = result.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, result.stderr)
        XCTAssertTrue(result.stderr.hasPrefix("\(path): corrupt: data that does not decode after frame "), result.stderr)
        XCTAssertTrue(result.stderr.contains("(\(count) of \(clipFrames) frames read"), result.stderr)
        print("corrupt copy: \(count) frames; stderr: \(result.stderr)")
    }

    /// Noise from the first byte (and a clip cut before its first frame): nothing to read, so
    /// exit status 1 and one line naming the file.
    func testAFileOfWhichNothingDecodesFailsInOneLine() throws {
        let (garbage, directory) = try damagedCopy(named: "noise.mp4") { bytes in
            var state: UInt32 = 99
            for offset in bytes.indices {
                state = state &* 1_103_515_245 &+ 12345
                bytes[offset] = UInt8(truncatingIfNeeded: state >> 16)
            }
        }
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLI.run([garbage, "--headless", "--format", "jsonl"])
        assertCleanFailure(result, naming: "\(garbage): cannot read source")

        let stub = directory.appendingPathComponent("stub.mp4").path
        try Data(try Data(contentsOf: URL(fileURLWithPath: try CLI.sharedFile(clipName))).prefix(5_000))
            .write(to: URL(fileURLWithPath: stub))
        assertCleanFailure(try CLI.run([stub, "--headless", "--format", "jsonl"]), naming: "\(stub): cannot read source")
    }

    /// A headless run on a video maps neither libopencv_videoio nor libopencv_imgcodecs (nor the
    /// ~200 libraries behind them, ~30 MB resident): the shim decodes files with FFmpeg and
    /// loads those modules with dlopen only for a camera, the annotated video or an image.
    func testTheBinaryDoesNotLinkVideoioImgcodecsOrHighgui() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/readelf") else {
            throw XCTSkip("readelf (binutils) is not installed")
        }
        let elf = try CLI.run(["-d", CLI.binary.path], executable: URL(fileURLWithPath: "/usr/bin/readelf"))
        XCTAssertEqual(elf.status, 0, elf.stderr)
        let needed = elf.stdout.split(separator: "\n").filter { $0.contains("(NEEDED)") }.map(String.init)
        if needed.contains(where: { $0.contains("libopencv_calib3d") }) {
            throw XCTSkip("built without `make build` (Debian's opencv4.pc links every OpenCV module)")
        }
        XCTAssertTrue(needed.contains { $0.contains("libavcodec") }, needed.joined(separator: "\n"))
        for module in ["videoio", "imgcodecs", "highgui"] {
            XCTAssertFalse(needed.contains { $0.contains("libopencv_\(module)") }, "\(module) is linked:\n\(needed.joined(separator: "\n"))")
        }
    }
}
