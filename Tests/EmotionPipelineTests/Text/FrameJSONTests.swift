@testable import EmotionPipeline
import Foundation
import XCTest

/// The frame object of `--format jsonl` and of the server's replies, compared as exact text:
/// key order and number spelling are promised (docs/output.md).
final class FrameJSONTests: XCTestCase {
    private let labels = EmotionLabel.canonicalOrder.map(\.rawValue)

    func testExactLineWithAFace() {
        let probabilities: [Float] = [0.01, 0, 0.02, 0.93, 0.03, 0.005, 0.005]
        let result = FrameResult(frameIndex: 12, time: 0.4004, faces: [
            FaceResult(box: FaceBox(x: 120, y: 80, width: 96, height: 97), probabilities: probabilities, labels: labels),
        ])
        XCTAssertEqual(FrameJSON(labels: labels).encode(result),
                       #"{"frame": 12, "time": 0.4004, "faces": [{"box": [120, 80, 96, 97], "label": "happy", "confidence": 0.93, "#
                       + #""probabilities": {"angry": 0.01, "disgusted": 0.0, "fearful": 0.02, "happy": 0.93, "neutral": 0.03, "#
                       + #""sad": 0.005, "surprised": 0.005}}]}"#)
    }

    func testFrameWithoutFaces() {
        XCTAssertEqual(FrameJSON(labels: labels).encode(FrameResult(frameIndex: 0, time: 0, faces: [])),
                       #"{"frame": 0, "time": 0.0, "faces": []}"#)
    }

    /// Several faces, in detection order; the line parses as JSON with the right values.
    func testLinesParseAsJSON() throws {
        let faces = [
            FaceResult(box: FaceBox(x: 1, y: 2, width: 3, height: 4), probabilities: [0.5, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05], labels: labels),
            FaceResult(box: FaceBox(x: 5, y: 6, width: 7, height: 8), probabilities: [0, 0, 0, 0, 0, 0, 1], labels: labels),
        ]
        let line = FrameJSON(labels: labels).encode(FrameResult(frameIndex: 3, time: 123.456789, faces: faces))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        XCTAssertEqual(object["frame"] as? Int, 3)
        XCTAssertEqual(object["time"] as? Double ?? 0, 123.456789, accuracy: 1e-9)
        let parsed = try XCTUnwrap(object["faces"] as? [[String: Any]])
        XCTAssertEqual(parsed.map { $0["label"] as? String }, ["angry", "surprised"])
        XCTAssertEqual(parsed[1]["box"] as? [Int], [5, 6, 7, 8])
        XCTAssertEqual(parsed[1]["confidence"] as? Double, 1)
        XCTAssertEqual((parsed[0]["probabilities"] as? [String: Double])?.keys.sorted(), labels.sorted())
    }

    func testLabelsAreEscaped() {
        let face = FaceResult(box: FaceBox(x: 0, y: 0, width: 1, height: 1), probabilities: [1], labels: ["say \"hi\"\\"])
        XCTAssertEqual(FrameJSON(labels: ["say \"hi\"\\"]).encode(FrameResult(frameIndex: 0, time: 0, faces: [face])),
                       #"{"frame": 0, "time": 0.0, "faces": [{"box": [0, 0, 1, 1], "label": "say \"hi\"\\", "confidence": 1.0, "#
                       + #""probabilities": {"say \"hi\"\\": 1.0}}]}"#)
    }

    /// The optional keys in their places: `"id"` first in a face, `"source"` after `"time"`,
    /// `"landmarks"` last in a face, and a stream's `"dropped"` last in the frame.
    func testOptionalKeysInTheirPlaces() {
        let face = FaceResult(id: 7, box: FaceBox(x: 0, y: 10, width: 40, height: 40), probabilities: [0.25, 0.75],
                              labels: ["sad", "happy"], landmarks: [FacePoint(x: 1.25, y: 2), FacePoint(x: 3, y: 4.04)])
        var result = FrameResult(frameIndex: 5, time: 0.2, faces: [face])
        result.source = "dir/a.jpg"
        let encoder = FrameJSON(labels: ["sad", "happy"])
        let line = #"{"frame": 5, "time": 0.2, "source": "dir/a.jpg", "faces": [{"id": 7, "box": [0, 10, 40, 40], "#
            + #""label": "happy", "confidence": 0.75, "probabilities": {"sad": 0.25, "happy": 0.75}, "#
            + #""landmarks": [[1.2, 2.0], [3.0, 4.0]]}]"#
        XCTAssertEqual(encoder.encode(result), line + "}")
        XCTAssertEqual(encoder.encode(result, dropped: 3), line + #", "dropped": 3}"#)
        XCTAssertEqual(encoder.encode(FrameResult(frameIndex: 0, time: 0, faces: []), dropped: 0),
                       #"{"frame": 0, "time": 0.0, "faces": [], "dropped": 0}"#)
    }
}
