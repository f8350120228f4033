@testable import EmotionPipeline
import Foundation
import TestSupport
import XCTest

/// The outputs of issue 6 checked on exact text and on files: CSV rows, ids and sources in
/// JSON lines and text, the summary, the tracking stage, the timeline plot, the annotated video.
final class OutputSinksTests: XCTestCase {
    private let labels = EmotionLabel.canonicalOrder.map(\.rawValue)

    private func face(_ id: Int?, _ x: Int, label index: Int, _ p: Float = 0.7) -> FaceResult {
        var probabilities = [Float](repeating: (1 - p) / 6, count: 7)
        probabilities[index] = p
        return FaceResult(id: id, box: FaceBox(x: x, y: 10, width: 40, height: 40), probabilities: probabilities, labels: labels)
    }

    private func frame(_ index: Int, source: String? = nil) throws -> Frame {
        Frame(index: index, time: Double(index) * 0.1, image: try Fixtures.flatImage(width: 160, height: 120, level: 90), source: source)
    }

    func testCSVHeaderAndOneRowPerFace() throws {
        XCTAssertEqual(CSVSink.header(labels: labels),
                       "frame,time,face,x,y,w,h,label,confidence,angry,disgusted,fearful,happy,neutral,sad,surprised")
        let lines = LineCollector()
        let sink = CSVSink(labels: labels, output: lines)
        try sink.begin(source: SourceInfo(kind: .video, name: "v", width: 160, height: 120, fps: 10, frameCount: 3))
        _ = try sink.consume(FrameResult(frameIndex: 0, time: 0, faces: [face(1, 0, label: 3), face(2, 80, label: 5)]), frame: try frame(0))
        _ = try sink.consume(FrameResult(frameIndex: 1, time: 0.1, faces: []), frame: try frame(1))
        _ = try sink.consume(FrameResult(frameIndex: 2, time: 0.2, faces: [face(2, 82, label: 5, 1)]), frame: try frame(2))
        XCTAssertEqual(lines.lines.count, 4, "header, two rows for frame 0, none for frame 1, one for frame 2")
        XCTAssertEqual(lines.lines[1], "0,0.0,1,0,10,40,40,happy,0.7,0.05,0.05,0.05,0.7,0.05,0.05,0.05")
        XCTAssertEqual(lines.lines[3], "2,0.2,2,82,10,40,40,sad,1.0,0.0,0.0,0.0,0.0,0.0,1.0,0.0")
        XCTAssertEqual(CSVSink.field("a,b"), "\"a,b\"")
        XCTAssertEqual(CSVSink.field("say \"hi\""), "\"say \"\"hi\"\"\"")
    }

    func testJSONAndTextCarryIdsAndSources() {
        let result = FrameResult(frameIndex: 0, time: 0, faces: [face(7, 0, label: 3)], source: "dir/a.jpg")
        let line = FrameJSON(labels: labels).encode(result)
        XCTAssertTrue(line.hasPrefix(#"{"frame": 0, "time": 0.0, "source": "dir/a.jpg", "faces": [{"id": 7, "box": [0, 10, 40, 40], "#), line)
        XCTAssertEqual(HeadlessTextSink.line(for: result), "frame 0 t=0.000s dir/a.jpg: #7 happy 0.70 [0,10,40,40]")
    }

    func testTrackingStageGivesIdsSmoothsAndForwards() throws {
        let stage = FaceTracking(labels: labels, smoothSeconds: 0.2)
        var outputs: [FrameResult] = []
        for i in 0..<4 {
            // Frame 0: happy; then sad with 0.9: the smoothed label stays happy for a while.
            let result = FrameResult(frameIndex: i, time: Double(i) * 0.1, faces: [face(nil, 10 + i, label: i == 0 ? 3 : 5, 0.9)])
            outputs.append(stage.track(result))
        }
        XCTAssertEqual(outputs.map { $0.faces[0].id }, [1, 1, 1, 1])
        // 0.2 s at 10 fps: sad has 1 - exp(-0.5) = 39% of its weight after one frame, 63% after two.
        XCTAssertEqual(outputs.map { $0.faces[0].label }, ["happy", "happy", "sad", "sad"])
        XCTAssertEqual(outputs[3].faces[0].probabilities.reduce(0, +), 1, accuracy: 1e-5)
        // Image frames: every file is a new scene, with new ids, and the file is recorded.
        let first = stage.track(FrameResult(frameIndex: 0, time: 0, faces: [face(nil, 10, label: 3)], source: "a.jpg"))
        let second = stage.track(FrameResult(frameIndex: 1, time: 0, faces: [face(nil, 10, label: 3)], source: "b.jpg"))
        XCTAssertEqual([first.faces[0].id, second.faces[0].id], [2, 3])
        XCTAssertEqual(second.source, "b.jpg")
    }

    func testSummaryCountsFramesPerIdAndOverall() throws {
        let sinkJSON = SummarySink(labels: labels, style: .json, output: LineCollector())
        let sinkText = SummarySink(labels: labels, style: .text, output: LineCollector())
        let results = [
            FrameResult(frameIndex: 0, time: 0, faces: [face(1, 0, label: 3), face(2, 80, label: 5)]),
            FrameResult(frameIndex: 1, time: 0.1, faces: [face(1, 0, label: 3)]),
            FrameResult(frameIndex: 2, time: 0.2, faces: [face(1, 0, label: 4)]),
            FrameResult(frameIndex: 3, time: 0.3, faces: []),
        ]
        for (i, result) in results.enumerated() {
            _ = try sinkJSON.consume(result, frame: try frame(i))
            _ = try sinkText.consume(result, frame: try frame(i))
        }
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(sinkJSON.lines()[0].utf8)) as? [String: Any])
        let summary = try XCTUnwrap(json["summary"] as? [String: Any])
        XCTAssertEqual(summary["frames"] as? Int, 4)
        XCTAssertEqual(summary["frames_with_faces"] as? Int, 3)
        let faces = try XCTUnwrap(summary["faces"] as? [[String: Any]])
        XCTAssertEqual(faces.map { $0["id"] as? Int }, [1, 2])
        XCTAssertEqual(faces[0]["frames"] as? Int, 3)
        let shares = try XCTUnwrap(faces[0]["shares"] as? [String: Double])
        XCTAssertEqual(shares["happy"] ?? 0, 2.0 / 3, accuracy: 1e-6)
        XCTAssertEqual(shares["neutral"] ?? 0, 1.0 / 3, accuracy: 1e-6)
        let all = try XCTUnwrap((summary["all"] as? [String: Any])?["shares"] as? [String: Double])
        XCTAssertEqual(all["happy"] ?? 0, 0.5, accuracy: 1e-6)
        XCTAssertEqual(sinkText.lines(), [
            "summary: 4 frames, 3 with faces",
            "face 1: 3 frames, 0.00-0.20 s: happy 66.7%, neutral 33.3%",
            "face 2: 1 frames, 0.00-0.00 s: sad 100.0%",
            "all faces: 4 face-frames: happy 50.0%, neutral 25.0%, sad 25.0%",
        ])
    }

    func testTimelineIsWrittenOnlyOnCommitWithAPanelPerFace() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("plot.png").path
        let sink = try TimelineSink(path: path, labels: labels)
        for i in 0..<50 {
            let faces = [face(1, 0, label: i < 25 ? 3 : 5)] + (i >= 10 ? [face(2, 80, label: 4)] : [])
            _ = try sink.consume(FrameResult(frameIndex: i, time: Double(i) * 0.1, faces: faces), frame: try frame(i))
        }
        try sink.finish()
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "nothing under the name before commit")
        try sink.commit()
        let image = try Image.read(path: path)
        XCTAssertEqual(image.width, 1200)
        XCTAssertEqual(image.height, 44 + 2 * (130 + 26) + 40, "two panels")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["plot.png"], "no temporary left")
        XCTAssertEqual(TimelineSink.tickStep(span: 15.4, maxTicks: 12), 2)
        XCTAssertEqual(TimelineSink.tickStep(span: 1, maxTicks: 12), 0.1)
    }

    func testOutputPathsAreCheckedBeforeTheRun() throws {
        XCTAssertThrowsError(try VideoFileSink(path: "/nonexistent-dir/out.mp4", labels: labels)) { error in
            XCTAssertEqual((error as? PipelineError)?.description, "/nonexistent-dir/out.mp4: cannot write: no such directory /nonexistent-dir")
        }
        XCTAssertThrowsError(try VideoFileSink(path: "/tmp/out.mkv", labels: labels))
        XCTAssertThrowsError(try TimelineSink(path: "/tmp/out.txt", labels: labels))
        XCTAssertThrowsError(try TimelineSink(path: "/tmp", labels: labels))
    }

    func testAnnotatedVideoHasEveryFrameIncludingSkippedOnes() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["out.avi", "out.mp4"] {
            let path = directory.appendingPathComponent(name).path
            let sink = try VideoFileSink(path: path, labels: labels)
            try sink.begin(source: SourceInfo(kind: .video, name: "v", width: 160, height: 120, fps: 10, frameCount: 12))
            for i in [0, 1, 2, 5, 6, 7, 8, 9, 10, 11] {   // 3 and 4 skipped by the window
                _ = try sink.consume(FrameResult(frameIndex: i, time: Double(i) / 10, faces: [face(1, 20, label: 3)]), frame: try frame(i))
            }
            XCTAssertEqual(sink.framesWritten, 12)
            try sink.commit()
            let capture = try VideoCapture(filePath: path)
            var frames = 0
            while try capture.read() != nil { frames += 1 }
            XCTAssertEqual(frames, 12, name)
        }
        let discarded = directory.appendingPathComponent("gone.mp4").path
        let sink = try VideoFileSink(path: discarded, labels: labels)
        try sink.begin(source: SourceInfo(kind: .video, name: "v", width: 160, height: 120, fps: 10, frameCount: 12))
        _ = try sink.consume(FrameResult(frameIndex: 0, time: 0, faces: []), frame: try frame(0))
        sink.discard()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted(), ["out.avi", "out.mp4"],
                       "a discarded run leaves nothing")
    }
}
