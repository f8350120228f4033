import EmotionPipeline
import TestSupport
import XCTest

final class SourceSpecTests: XCTestCase {
    func testCameraIndicesAndDevices() {
        XCTAssertEqual(SourceSpec(parsing: "0"), .camera(index: 0))
        XCTAssertEqual(SourceSpec(parsing: "12"), .camera(index: 12))
        XCTAssertEqual(SourceSpec(parsing: "/dev/video2"), .cameraDevice(path: "/dev/video2"))
        XCTAssertTrue(SourceSpec(parsing: "1").isCamera)
        XCTAssertEqual(SourceSpec(parsing: "3").description, "camera 3")
    }

    func testImagesByExtensionInAnyCase() {
        for name in ["a.jpg", "b.JPEG", "c.png", "d.bmp", "e.webp", "f.tif", "g.TIFF", "h.pgm", "i.ppm", "dir.x/j.Png"] {
            XCTAssertEqual(SourceSpec(parsing: name), .image(path: name), name)
        }
    }

    func testEverythingElseIsAVideo() {
        for name in ["clip.mp4", "clip.MOV", "no_extension", "-1", "0.5", "1a", "png", "/tmp/video0"] {
            XCTAssertEqual(SourceSpec(parsing: name), .video(path: name), name)
        }
    }

    func testMissingSourcesNameTheFile() {
        for spec in ["/nonexistent/clip.mp4", "/nonexistent/face.jpg"] {
            XCTAssertThrowsError(try openSource(SourceSpec(parsing: spec))) { error in
                XCTAssertEqual(error as? PipelineError, .sourceNotFound(path: spec))
                XCTAssertEqual("\(error)", "\(spec): no such file")
            }
        }
    }

    func testUnreadableSourcesNameTheFile() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["junk.mp4", "junk.png"] {
            let path = directory.appendingPathComponent(name).path
            try Data("not a picture".utf8).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try openSource(SourceSpec(parsing: path))) { error in
                guard case .sourceUnreadable(let named, _)? = error as? PipelineError else {
                    return XCTFail("unexpected \(error)")
                }
                XCTAssertEqual(named, path)
                XCTAssertTrue("\(error)".hasPrefix(path + ": "), "\(error)")
                XCTAssertFalse("\(error)".contains("\n"))
            }
        }
    }

    /// A camera that is not there is reported quickly (the issue allows 5 s).
    func testMissingCameraIsReportedQuickly() {
        let start = Date()
        XCTAssertThrowsError(try openSource(.cameraDevice(path: "/dev/video97"))) { error in
            guard case .cameraUnavailable(let camera, _)? = error as? PipelineError else { return XCTFail("\(error)") }
            XCTAssertEqual(camera, "/dev/video97")
        }
        XCTAssertThrowsError(try openSource(.camera(index: 97))) { error in
            guard case .cameraUnavailable? = error as? PipelineError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".hasPrefix("camera 97: "), "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    }
}
