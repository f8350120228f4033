@testable import EmotionPipeline
import Foundation
import XCTest

final class FaceDetectorTests: XCTestCase {
    private func detector(_ options: DetectorOptions = DetectorOptions()) throws -> FaceDetector {
        guard Fixtures.cascadeAvailable else { throw XCTSkip("opencv-data's Haar cascades are not installed") }
        return try FaceDetector(options: options)
    }

    func testDefaultCascadeIsFoundWhereOpenCVDataPutsIt() throws {
        _ = try detector()
        let path = try XCTUnwrap(CascadeLocator.locate())
        XCTAssertTrue(path.hasSuffix("/haarcascade_frontalface_default.xml"))
        XCTAssertTrue(CascadeLocator.searchDirectories.contains((path as NSString).deletingLastPathComponent))
        XCTAssertNil(CascadeLocator.locate(in: ["/nonexistent"]))
    }

    /// Flat and noisy pictures have no faces.
    func testNoFacesInSyntheticPictures() throws {
        let detector = try self.detector()
        XCTAssertEqual(try detector.detect(in: Fixtures.flatImage(width: 320, height: 240, level: 128)), [])
        var state: UInt32 = 12345
        let noise = try Fixtures.greyImage(width: 320, height: 240) { _, _ in
            state = state &* 1_103_515_245 &+ 12345
            return UInt8(truncatingIfNeeded: state >> 16)
        }
        XCTAssertEqual(try detector.detect(in: noise), [])
    }

    func testMissingAndBogusCascadesNameTheFile() throws {
        XCTAssertThrowsError(try FaceDetector(cascadePath: "/nonexistent/cascade.xml")) { error in
            XCTAssertEqual(error as? PipelineError, .cascadeUnreadable(path: "/nonexistent/cascade.xml", reason: "no such file"))
            XCTAssertEqual("\(error)", "/nonexistent/cascade.xml: cannot load cascade: no such file")
        }
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bogus = directory.appendingPathComponent("bogus.xml").path
        try Data("<?xml version=\"1.0\"?><opencv_storage></opencv_storage>".utf8).write(to: URL(fileURLWithPath: bogus))
        XCTAssertThrowsError(try FaceDetector(cascadePath: bogus)) { error in
            XCTAssertEqual(error as? PipelineError, .cascadeUnreadable(path: bogus, reason: "not a Haar cascade file"))
        }
    }

    /// The shared photographs: counts as ranges (OpenCV builds differ a little).
    func testSharedImages() throws {
        let detector = try self.detector()
        let expectations: [(String, ClosedRange<Int>)] = [
            ("one_face_portrait.jpg", 1...1), ("one_face_frontal.jpg", 1...1), ("one_face_small.jpg", 1...1),
            ("two_people.jpg", 2...2), ("no_faces.jpg", 0...0), ("many_faces.jpg", 4...8), ("group_selfie.jpg", 4...10),
        ]
        for (name, range) in expectations {
            let image = try Image.read(path: try Fixtures.shared("media/images/\(name)"))
            let faces = try detector.detect(in: image.grey())
            XCTAssertTrue(range.contains(faces.count), "\(name): \(faces.count) faces, expected \(range)")
            for face in faces {
                XCTAssertEqual(face.clamped(toWidth: image.width, height: image.height), face, "\(name): box inside the image")
            }
        }
    }

    /// No face comes out smaller than minFace (OpenCV's minSize bounds its search windows, the
    /// reported boxes are checked too), nor larger than maxFace.
    func testMinAndMaxFace() throws {
        let image = try Image.read(path: try Fixtures.shared("media/images/two_people.jpg")).grey()
        let all = try detector().detect(in: image)
        let largest = try XCTUnwrap(all.map(\.width).max())
        for minFace in [largest / 2, largest + 1, 2 * largest] {
            let faces = try detector(DetectorOptions(minFace: minFace)).detect(in: image)
            XCTAssertTrue(faces.allSatisfy { $0.width >= minFace && $0.height >= minFace }, "min \(minFace): \(faces)")
        }
        XCTAssertEqual(try detector(DetectorOptions(minFace: 4 * largest)).detect(in: image), [])
        XCTAssertEqual(try detector(DetectorOptions(maxFace: 30)).detect(in: image), [])
    }
}
