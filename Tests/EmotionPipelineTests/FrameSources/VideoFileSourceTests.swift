@testable import EmotionPipeline
import Foundation
import TestSupport
import XCTest

final class VideoFileSourceTests: XCTestCase {
    /// A clip written here (MJPG in AVI, 10 fps): every frame comes back, in order, with the
    /// container's times.
    func testReadsEveryFrameOfAGeneratedClip() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("clip.avi").path
        let writer = try VideoWriter(path: path, fourcc: "MJPG", fps: 10, width: 64, height: 48)
        for i in 0..<20 { try writer.write(Fixtures.flatImage(width: 64, height: 48, level: UInt8(i * 12))) }
        writer.close()

        let source = try VideoFileSource(path: path)
        XCTAssertEqual(source.info.kind, .video)
        XCTAssertEqual(source.info.width, 64)
        XCTAssertEqual(source.info.height, 48)
        XCTAssertEqual(source.info.fps, 10, accuracy: 0.01)
        XCTAssertEqual(source.info.frameCount, 20)
        var frames: [Frame] = []
        while let frame = try source.nextFrame() { frames.append(frame) }
        XCTAssertEqual(frames.map(\.index), Array(0..<20))
        for frame in frames {
            XCTAssertEqual(frame.time, Double(frame.index) / 10, accuracy: 1e-3)
            // MJPG is lossy: levels within a few steps.
            let mean = frame.image.bytes.reduce(0) { $0 + Int($1) } / (64 * 48 * 3)
            XCTAssertEqual(Double(mean), Double(frame.index * 12), accuracy: 3)
        }
        XCTAssertNil(try source.nextFrame())
        source.close()
        XCTAssertNil(try source.nextFrame())
    }

    /// Closing early stops the reader without waiting for the file's end.
    func testCloseEarly() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("clip.avi").path
        let writer = try VideoWriter(path: path, fourcc: "MJPG", fps: 25, width: 32, height: 32)
        for _ in 0..<50 { try writer.write(Fixtures.flatImage(width: 32, height: 32, level: 7)) }
        writer.close()
        let source = try VideoFileSource(path: path)
        XCTAssertNotNil(try source.nextFrame())
        source.close()
        XCTAssertNil(try source.nextFrame())
    }

    func testSharedClip() throws {
        let source = try VideoFileSource(path: try Fixtures.shared("media/videos/woman_talking_596x336.mp4"))
        XCTAssertEqual(source.info.width, 596)
        XCTAssertEqual(source.info.height, 336)
        XCTAssertEqual(source.info.fps, 29.97, accuracy: 0.01)
        XCTAssertEqual(source.info.frameCount, 464)
        var count = 0
        var lastTime = -1.0
        while let frame = try source.nextFrame() {
            XCTAssertEqual(frame.index, count)
            XCTAssertGreaterThan(frame.time, lastTime)
            XCTAssertEqual(frame.time, Double(count) / 29.97, accuracy: 0.002)
            lastTime = frame.time
            count += 1
        }
        XCTAssertEqual(count, 464)
    }

    /// The variable-rate clip: every frame's time is its own timestamp, the last ones (drained
    /// from the decoder at the end) included: 115 frames, the last at 4.56 s.
    func testVariableRateClipKeepsEachFramesTime() throws {
        let source = try VideoFileSource(path: try Fixtures.shared("media/videos/phone_smile_vfr.mp4"))
        var times: [Double] = []
        while let frame = try source.nextFrame() { times.append(frame.time) }
        XCTAssertEqual(times.count, 115)
        XCTAssertEqual(times.first, 0)
        XCTAssertEqual(times.last ?? 0, 4.56, accuracy: 1e-6)
        XCTAssertTrue(zip(times, times.dropFirst()).allSatisfy { $0 < $1 }, "times increase")
    }

    /// A clip cut short: its frames, then the end, with `problem` and one `warn` line saying it
    /// is truncated and after which frame.
    func testTruncatedClipEndsWithAProblem() throws {
        let clip = try Fixtures.shared("media/videos/woman_crying_640x360.mp4")
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("cut.mp4").path
        try Data(try Data(contentsOf: URL(fileURLWithPath: clip)).prefix(800_000)).write(to: URL(fileURLWithPath: path))
        var warnings: [String] = []
        let source = try VideoFileSource(path: path, warn: { warnings.append($0) })
        var count = 0
        while try source.nextFrame() != nil { count += 1 }
        XCTAssertGreaterThan(count, 100)
        XCTAssertLessThan(count, 472)
        XCTAssertEqual(warnings.count, 1, "\(warnings)")
        XCTAssertEqual(source.problem, warnings.first)
        XCTAssertTrue(warnings.first?.hasPrefix("\(path): truncated: the data ends after frame \(count - 1)") ?? false, "\(warnings)")
        XCTAssertNil(try source.nextFrame())
    }

    /// A sound file has no problem.
    func testSoundClipHasNoProblem() throws {
        var warnings: [String] = []
        let source = try VideoFileSource(path: try Fixtures.shared("media/videos/cartoon_no_face.mp4"), warn: { warnings.append($0) })
        var count = 0
        while try source.nextFrame() != nil { count += 1 }
        XCTAssertEqual(count, 95, "98 packets, of which the decoder gives 95 frames (as OpenCV does)")
        XCTAssertNil(source.problem)
        XCTAssertEqual(warnings, [])
    }

    /// A clip whose display matrix turns the picture (a phone held upright) comes out turned as
    /// players show it. ffmpeg's `rotate=90` tag writes a matrix of +90 degrees (ffprobe:
    /// "rotation=90"), which ffmpeg itself shows turned counterclockwise: the size swaps and pixel
    /// (x, y) of the turned frame is pixel (W-1-y, x) of the stored one, bit for bit.
    func testDisplayMatrixTurnsThePicture() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/ffmpeg") else {
            throw XCTSkip("ffmpeg is not installed (make test installs it)")
        }
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plain = directory.appendingPathComponent("plain.mp4").path
        let turned = directory.appendingPathComponent("turned.mp4").path
        try runFFmpeg(["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10", "-frames:v", "5", "-pix_fmt", "yuv420p", plain])
        try runFFmpeg(["-i", plain, "-c", "copy", "-metadata:s:v", "rotate=90", turned])

        let stored = try VideoFileSource(path: plain)
        let shown = try VideoFileSource(path: turned)
        XCTAssertEqual([stored.info.width, stored.info.height], [64, 48])
        XCTAssertEqual([shown.info.width, shown.info.height], [48, 64])
        var frames = 0
        while let a = try stored.nextFrame(), let b = try shown.nextFrame() {
            XCTAssertEqual([b.image.width, b.image.height, b.image.channels], [48, 64, 3])
            let source = a.image.bytes, result = b.image.bytes
            var mismatches = 0
            for y in 0..<64 {
                for x in 0..<48 {
                    for c in 0..<3 where result[(y * 48 + x) * 3 + c] != source[(x * 64 + 63 - y) * 3 + c] { mismatches += 1 }
                }
            }
            XCTAssertEqual(mismatches, 0, "frame \(a.index)")
            frames += 1
        }
        XCTAssertEqual(frames, 5)
    }

    /// Grey frames (a headless run's) are, byte for byte, the grey of the BGR frames: 4:2:0
    /// pictures converted band by band (a coded height above the shown one, full-range YUV, a
    /// turned picture), other formats through BGR.
    func testGreyFramesAreTheGreyOfTheColourFrames() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/ffmpeg") else {
            throw XCTSkip("ffmpeg is not installed (make test installs it)")
        }
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var clips: [String] = []
        for (name, format, extra) in [("plain", "yuv420p", [String]()), ("full-range", "yuvj420p", []),
                                      ("planar444", "yuv444p", []), ("turned", "yuv420p", ["-metadata:s:v", "rotate=90"])] {
            let path = directory.appendingPathComponent("\(name).mp4").path
            try runFFmpeg(["-f", "lavfi", "-i", "testsrc2=size=100x76:rate=10", "-frames:v", "6", "-c:v", "libx264",
                           "-pix_fmt", format] + extra + [path])
            clips.append(path)
        }
        for name in ["dinner_table_854x480.mp4", "phone_smile_vfr.mp4", "face_then_cartoon_hevc.mov"] {
            if let path = try? Fixtures.shared("media/videos/\(name)") { clips.append(path) }
        }
        for path in clips {
            let colour = try VideoFileSource(path: path)
            let grey = try VideoFileSource(path: path, grey: true)
            XCTAssertEqual([grey.info.width, grey.info.height], [colour.info.width, colour.info.height])
            var frames = 0
            while frames < 40, let a = try colour.nextFrame(), let b = try grey.nextFrame() {
                XCTAssertEqual(b.image.channels, 1, path)
                XCTAssertEqual(b.time, a.time, path)
                let want = try a.image.grey().bytes, got = b.image.bytes
                XCTAssertEqual(got.count, want.count, path)
                XCTAssertEqual(zip(got, want).filter { $0 != $1 }.count, 0, "\(path) frame \(a.index): grey pixels differ")
                frames += 1
            }
            XCTAssertGreaterThan(frames, 0, path)
        }
    }

    /// Frames waiting for the pipeline are bounded by bytes as well as by count.
    func testReadAheadIsBoundedByBytes() {
        XCTAssertEqual(VideoFileSource.readAheadFrames(width: 596, height: 336), 3)
        XCTAssertEqual(VideoFileSource.readAheadFrames(width: 854, height: 480), 2)
        XCTAssertEqual(VideoFileSource.readAheadFrames(width: 1280, height: 720), 1)
        XCTAssertEqual(VideoFileSource.readAheadFrames(width: 1920, height: 1080), 1)
        XCTAssertEqual(VideoFileSource.readAheadFrames(width: 7680, height: 4320), 1)
        XCTAssertEqual(VideoFileSource.readAheadFrames(width: 1280, height: 720, bytesPerPixel: 1), 3)
        XCTAssertEqual(VideoFileSource.readAheadFrames(width: 1920, height: 1080, bytesPerPixel: 1), 1)
    }

    private func runFFmpeg(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = ["-loglevel", "error", "-y"] + arguments
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "ffmpeg \(arguments.joined(separator: " "))")
    }

    func testImageSourceDeliversOneFrame() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("still.png").path
        try Fixtures.flatImage(width: 30, height: 20, level: 9).write(to: path)
        let source = try openSource(SourceSpec(parsing: path))
        XCTAssertEqual(source.info, SourceInfo(kind: .image, name: path, width: 30, height: 20, fps: 0, frameCount: 1))
        let frame = try XCTUnwrap(source.nextFrame())
        XCTAssertEqual(frame.index, 0)
        XCTAssertEqual(frame.time, 0)
        XCTAssertNil(try source.nextFrame())
    }
}
