@testable import FaceDetection
import Foundation
import TestSupport
import XCTest

final class HaarDetectorTests: XCTestCase {
    private func detector(_ options: DetectorOptions = DetectorOptions()) throws -> HaarDetector {
        guard Fixtures.cascadeAvailable else { throw XCTSkip("opencv-data's Haar cascades are not installed") }
        return try HaarDetector(options: options)
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
        XCTAssertThrowsError(try HaarDetector(cascadePath: "/nonexistent/cascade.xml")) { error in
            XCTAssertEqual(error as? DetectorError, .cascadeUnreadable(path: "/nonexistent/cascade.xml", reason: "no such file"))
            XCTAssertEqual("\(error)", "/nonexistent/cascade.xml: cannot load cascade: no such file")
        }
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bogus = directory.appendingPathComponent("bogus.xml").path
        try Data("<?xml version=\"1.0\"?><opencv_storage></opencv_storage>".utf8).write(to: URL(fileURLWithPath: bogus))
        XCTAssertThrowsError(try HaarDetector(cascadePath: bogus)) { error in
            XCTAssertEqual(error as? DetectorError, .cascadeUnreadable(path: bogus, reason: "not a Haar cascade file"))
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

    /// A large picture is searched in several calls, each over a band of pyramid levels (to keep
    /// OpenCV's buffer of integral images small), with the candidates grouped once at the end.
    /// That must change nothing: the region search of the whole picture gives the boxes of one
    /// detectMultiScale call, for raw candidates (0 neighbours) and grouped ones, at several scale
    /// factors and minimum sizes. Pictures: the shared group photos, and one stretched to 1080p.
    func testSearchesInBandsOfLevelsFindWhatOneSearchFinds() throws {
        _ = try detector()
        let many = try Image.read(path: try Fixtures.shared("media/images/many_faces.jpg")).grey()
        let selfie = try Image.read(path: try Fixtures.shared("media/images/group_selfie.jpg")).grey()
        let hd = try selfie.resized(width: 1920, height: 1080, area: false)
        let cases: [(Image, scale: Double, minFace: Int)] = [
            (many, 1.3, 0), (many, 1.05, 40), (selfie, 1.1, 0), (hd, 1.3, 0), (hd, 1.3, 45), (hd, 1.15, 90),
        ]
        var compared = 0
        for (image, scale, minFace) in cases {
            for neighbours in [0, 3, 5] {
                let options = DetectorOptions(scaleFactor: scale, minNeighbors: neighbours, minFace: minFace)
                let detector = try self.detector(options)
                let one = try detector.detectMultiScale(in: image)
                XCTAssertEqual(try detector.detect(in: image), one, "full-frame Haar")
                let banded = try detector.detectCounting(in: image, region: nil, shrink: 1)
                let label = "\(image.width)x\(image.height) scale \(scale) min \(minFace) neighbours \(neighbours)"
                XCTAssertEqual(banded.map(\.box), one, label)
                XCTAssertTrue(banded.allSatisfy { $0.neighbors > neighbours || neighbours == 0 }, label)
                if neighbours == 0 { XCTAssertGreaterThan(one.count, 10, "\(label): raw candidates to compare") }
                compared += one.count
            }
        }
        XCTAssertGreaterThan(compared, 500)

        // Other cascades: a window wider than tall (smile, 36x18), LBP features, and profile
        // faces. Raw candidates, where any difference would show.
        let directory = PathText.join(URL(fileURLWithPath: try XCTUnwrap(CascadeLocator.locate())).deletingLastPathComponent()
            .deletingLastPathComponent().path, "")
        for name in ["haarcascades/haarcascade_smile.xml", "lbpcascades/lbpcascade_frontalface_improved.xml",
                     "haarcascades/haarcascade_profileface.xml"] {
            let path = directory + name
            guard FileManager.default.fileExists(atPath: path) else { continue }
            for image in [many, hd] {
                let detector = try HaarDetector(cascadePath: path, options: DetectorOptions(scaleFactor: 1.2, minNeighbors: 0))
                let one = try detector.detectMultiScale(in: image)
                XCTAssertEqual(try detector.detect(in: image), one, "\(name) on \(image.width)x\(image.height)")
                XCTAssertGreaterThan(one.count, 0, "\(name): candidates to compare")
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
