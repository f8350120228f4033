@testable import EmotionPipeline
import Foundation
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
