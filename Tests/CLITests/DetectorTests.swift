import Foundation
import XCTest

/// `--detector mtcnn` end to end (issue 13): the faces and landmarks in jsonl, the same faces
/// as the library finds them, Haar unchanged, and the refusals.
final class DetectorTests: XCTestCase {
    private func faces(_ result: CLI.Result) throws -> [[[String: Any]]] {
        try result.lines.map { try XCTUnwrap(try CLI.json($0)["faces"] as? [[String: Any]]) }
    }

    /// Every face has five landmarks inside its box (widened by half: mouth corners of a
    /// turned face may fall just outside), and the photos' face counts are MTCNN's.
    func testPhotosGiveFacesWithFiveLandmarks() throws {
        let photos: [(String, ClosedRange<Int>)] = [("group_selfie.jpg", 4...7), ("two_people.jpg", 2...2),
                                                    ("no_faces.jpg", 0...0), ("one_face_frontal.jpg", 1...1)]
        for (name, expected) in photos {
            let photo = try CLI.sharedFile("media/images/\(name)")
            let result = try CLI.run([photo, "--headless", "--format", "jsonl", "--detector", "mtcnn"] + CLI.modelArguments())
            XCTAssertEqual(result.status, 0, result.stderr)
            let found = try XCTUnwrap(try faces(result).first)
            XCTAssertTrue(expected.contains(found.count), "\(name): \(found.count) faces")
            for face in found {
                let box = try XCTUnwrap(face["box"] as? [Int])
                let points = try XCTUnwrap(face["landmarks"] as? [[Double]], "\(name): landmarks with --detector mtcnn")
                XCTAssertEqual(points.count, 5)
                for point in points {
                    XCTAssertEqual(point.count, 2)
                    XCTAssertTrue(Double(box[0]) - Double(box[2]) / 2 <= point[0] && point[0] <= Double(box[0] + box[2]) * 1.0 + Double(box[2]) / 2,
                                  "\(name): \(point) near \(box)")
                    XCTAssertTrue(Double(box[1]) - Double(box[3]) / 2 <= point[1] && point[1] <= Double(box[1] + box[3]) + Double(box[3]) / 2,
                                  "\(name): \(point) near \(box)")
                }
                // Eyes above the mouth, left eye left of the right one, as the picture shows them.
                XCTAssertLessThan(points[0][0], points[1][0], name)
                XCTAssertLessThan(max(points[0][1], points[1][1]), max(points[3][1], points[4][1]), name)
            }
        }
    }

    /// Haar stays the default and gives no landmarks; CSV is unchanged by the detector's choice
    /// of columns.
    func testHaarIsTheDefaultWithoutLandmarks() throws {
        let photo = try CLI.sharedFile("media/images/two_people.jpg")
        let haar = try CLI.run([photo, "--headless", "--format", "jsonl"] + CLI.modelArguments())
        let explicit = try CLI.run([photo, "--headless", "--format", "jsonl", "--detector", "haar"] + CLI.modelArguments())
        XCTAssertEqual(haar.stdout, explicit.stdout, "--detector haar is the default")
        XCTAssertFalse(haar.stdout.contains("landmarks"))
        let csv = try CLI.run([photo, "--headless", "--format", "csv", "--detector", "mtcnn"] + CLI.modelArguments())
        XCTAssertEqual(csv.status, 0, csv.stderr)
        let columns = "frame,time,face,x,y,w,h,label,confidence," + CLI.bundledLabels.joined(separator: ",")
        XCTAssertEqual(csv.lines.first, columns)
        let withPoints = try CLI.run([photo, "--headless", "--format", "csv", "--detector", "mtcnn", "--csv-landmarks"] + CLI.modelArguments())
        XCTAssertEqual(withPoints.status, 0, withPoints.stderr)
        XCTAssertEqual(withPoints.lines.first, columns + ","
                       + "left_eye_x,left_eye_y,right_eye_x,right_eye_y,nose_x,nose_y,mouth_left_x,mouth_left_y,mouth_right_x,mouth_right_y")
        XCTAssertEqual(withPoints.lines.count, 3, "two faces")
        for row in withPoints.lines.dropFirst() {
            let fields = row.split(separator: ",", omittingEmptySubsequences: false)
            XCTAssertEqual(fields.count, 9 + CLI.bundledLabels.count + 10, row)
            XCTAssertTrue(fields.suffix(10).allSatisfy { Double($0) != nil }, row)
        }
        let haarPoints = try CLI.run([photo, "--headless", "--format", "csv", "--csv-landmarks"] + CLI.modelArguments())
        XCTAssertTrue(haarPoints.lines.dropFirst().allSatisfy { $0.hasSuffix(",,,,,,,,,,") }, "Haar's rows leave them empty")
    }

    /// A clip through MTCNN, whole searches every 4th frame and O-Net following the faces in
    /// between: faces on (nearly) every frame of a clip with one face, ids kept.
    func testAClipIsFollowedBetweenWholeSearches() throws {
        let clip = try CLI.sharedFile("media/videos/woman_crying_640x360.mp4")
        let result = try CLI.run([clip, "--headless", "--format", "jsonl", "--detector", "mtcnn", "--max-frames", "60"] + CLI.modelArguments())
        XCTAssertEqual(result.status, 0, result.stderr)
        let frames = try faces(result)
        XCTAssertEqual(frames.count, 60)
        XCTAssertGreaterThanOrEqual(frames.filter { $0.count == 1 }.count, 57, "one face on nearly every frame")
        let ids = Set(frames.flatMap { $0.compactMap { $0["id"] as? Int } })
        XCTAssertLessThanOrEqual(ids.count, 2, "the face keeps its id: \(ids)")
    }

    /// `bench --video --detector mtcnn` measures the MTCNN and the Haar pipelines in one run and
    /// breaks MTCNN's time down by stage.
    func testBenchMeasuresBothPipelinesAndMTCNNStages() throws {
        let clip = try CLI.sharedFile("media/videos/woman_crying_640x360.mp4")
        let result = try CLI.run(["bench", "--video", clip, "--detector", "mtcnn", "--repeat", "1", "--max-frames", "12",
                                  "--format", "json"] + CLI.modelArguments())
        XCTAssertEqual(result.status, 0, result.stderr)
        let report = try CLI.json(result.stdout)
        XCTAssertEqual(report["detector"] as? String, "mtcnn")
        XCTAssertGreaterThan(report["pipeline_fps"] as? Double ?? 0, 0)
        XCTAssertGreaterThan(report["haar_pipeline_fps"] as? Double ?? 0, 0)
        // Every 4th of 12 frames (the pipeline may detect one frame ahead of the last: a 4th).
        XCTAssertTrue((3...4).contains(report["mtcnn_whole_searches"] as? Int ?? 0), "\(report)")
        XCTAssertEqual(report["mtcnn_follows"] as? Int, 9)
        XCTAssertNotNil(report["mtcnn_refinds"] as? Int, "\(report)")
        for key in ["mtcnn_pyramid_ms", "mtcnn_pnet_ms", "mtcnn_rnet_ms", "mtcnn_onet_ms", "mtcnn_follow_ms"] {
            XCTAssertGreaterThan(report[key] as? Double ?? 0, 0, key)
        }
    }

    /// Photos are searched past their edges for large faces the edge cuts (group_selfie: 6 of
    /// its 7 faces); `--mtcnn-border 0` searches the picture alone, as the package does (4).
    func testPhotosAreSearchedPastTheirEdges() throws {
        let photo = try CLI.sharedFile("media/images/group_selfie.jpg")
        for (arguments, expected) in [([String](), 6), (["--mtcnn-border", "0"], 4)] {
            let result = try CLI.run([photo, "--headless", "--format", "jsonl", "--detector", "mtcnn"] + arguments + CLI.modelArguments())
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(try XCTUnwrap(try faces(result).first).count, expected, "\(arguments)")
        }
    }

    func testBadDetectorSettingsAreRefused() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clip = try CLI.patternClip(in: directory, frames: 3)
        for (arguments, message) in [
            (["--detector", "retina"], "--detector"),
            (["--detector", "mtcnn", "--min-face", "5"], "--min-face must be at least 12"),
            (["--detector", "mtcnn", "--mtcnn-thresholds", "0.6,0.7"], "--mtcnn-thresholds"),
            (["--detector", "mtcnn", "--mtcnn-thresholds", "0.6,1.5,0.8"], "--mtcnn-thresholds"),
            (["--detector", "mtcnn", "--mtcnn-border", "0.8"], "--mtcnn-border must be between 0 and 0.5"),
        ] {
            let result = try CLI.run([clip, "--headless"] + arguments)
            XCTAssertEqual(result.status, 64, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        // A folder without the networks, and one with a broken network: one line naming the file.
        let empty = directory.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: false)
        assertCleanFailure(try CLI.run([clip, "--headless", "--detector", "mtcnn", "--mtcnn-models", empty.path] + CLI.modelArguments()),
                           naming: empty.appendingPathComponent("mtcnn-pnet.h5").path)
        let broken = directory.appendingPathComponent("broken")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: false)
        for stage in ["pnet", "rnet", "onet"] {
            try FileManager.default.copyItem(at: CLI.packageRoot.appendingPathComponent("models/mtcnn-\(stage).h5"),
                                             to: broken.appendingPathComponent("mtcnn-\(stage).h5"))
        }
        let onet = broken.appendingPathComponent("mtcnn-onet.h5")
        try Data("not an HDF5 file".utf8).write(to: onet)
        assertCleanFailure(try CLI.run([clip, "--headless", "--detector", "mtcnn", "--mtcnn-models", broken.path] + CLI.modelArguments()),
                           naming: onet.path)
    }
}
