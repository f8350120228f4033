@testable import EmotionPipeline
import Foundation
import XCTest

/// `bench --video`'s report, on hand-made figures: the text exactly as the command has always
/// printed it, and the JSON object's keys (the documented ones; the stages only for the detector
/// that has them).
final class VideoBenchmarkReportTests: XCTestCase {
    private func report(_ detector: DetectorKind) -> VideoBenchmarkReport {
        VideoBenchmarkReport(
            video: "clip.mp4", frames: 10, model: "m.h5", detector: detector, detectEvery: 4, detectScale: 1.5, runs: 3,
            haarFPS: 20.04, pipelineFPS: 30.06, ratio: 1.5, haarFaces: 8, pipelineFaces: 9, matchedFaces: 6,
            detectorMsPerFrame: 5.25, detectorWidth: 640, detectorHeight: 360,
            haarPipelineFPS: detector == .haar ? nil : 25, haarDetectorMsPerFrame: detector == .haar ? nil : 10,
            yunetTiming: nil, mtcnnTiming: nil)
    }

    private let commonKeys: Set<String> = [
        "video", "frames", "haar_fps", "pipeline_fps", "ratio", "recall", "haar_faces", "pipeline_faces", "matched_faces",
        "detect_every", "detect_scale", "runs", "model", "detector", "detector_ms_per_frame", "detector_width",
        "detector_height",
    ]

    private func object(_ report: VideoBenchmarkReport) throws -> [String: Any] {
        let line = try jsonLine(report)
        XCTAssertFalse(line.contains("\n"))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    func testHaar() throws {
        var haar = report(.haar)
        haar.detectScale = 1
        XCTAssertEqual(haar.text, """
            clip.mp4: decode + full-frame Haar alone 20.0 fps, pipeline 30.1 fps: 1.50x; recall 0.7500 (6 of 8 faces; \
            pipeline found 9); detect-every 4, detect-scale 1; 10 frames, median of 3 rounds
              detector alone at 640x360: haar 5.25 ms per frame (median of 3 rounds; decoding not counted)
            """)
        let json = try object(haar)
        XCTAssertEqual(Set(json.keys), commonKeys)
        XCTAssertEqual(json["recall"] as? Double, 0.75)
        XCTAssertEqual(json["detector"] as? String, "haar")
        XCTAssertEqual(json["model"] as? String, "m.h5")
        XCTAssertEqual(json["matched_faces"] as? Int, 6)
        XCTAssertEqual(VideoBenchmarkReport.milliseconds(1, 0), 0)
    }

    func testYuNetAddsHaarsFiguresAndItsStages() throws {
        var yunet = report(.yunet)
        var timing = YuNetTiming()
        (timing.searches, timing.shrinkSeconds, timing.networkSeconds, timing.decodeSeconds) = (4, 0.004, 0.02, 0.002)
        yunet.yunetTiming = timing
        XCTAssertEqual(yunet.text, """
            clip.mp4: decode + full-frame Haar alone 20.0 fps, yunet pipeline 30.1 fps: 1.50x (Haar pipeline 25.0 fps); \
            recall 0.7500 (6 of 8 faces; pipeline found 9); detect-every 4, detect-scale 1.5; 10 frames, median of 3 rounds
              detector alone at 640x360: yunet 5.25 ms per frame, haar 10.00 ms per frame (median of 3 rounds; decoding not counted)
              yunet per search (4, last round): shrink 1.00 ms, network 5.00 ms, decode + suppression 0.50 ms
            """)
        let json = try object(yunet)
        XCTAssertEqual(Set(json.keys), commonKeys.union(["haar_pipeline_fps", "haar_detector_ms_per_frame",
                                                         "yunet_shrink_ms", "yunet_network_ms", "yunet_decode_ms"]))
        XCTAssertEqual(json["yunet_network_ms"] as? Double ?? 0, 5, accuracy: 1e-12)
        XCTAssertEqual(json["detect_scale"] as? Double, 1.5)
    }

    func testMTCNNAddsItsStages() throws {
        var mtcnn = report(.mtcnn)
        var timing = MTCNNTiming()
        (timing.searches, timing.pyramidSeconds, timing.pnetSeconds, timing.rnetSeconds, timing.onetSeconds) = (2, 0.01, 0.02, 0.004, 0.002)
        (timing.follows, timing.followSeconds, timing.refinds, timing.refindSeconds) = (4, 0.008, 0, 0)
        mtcnn.mtcnnTiming = timing
        XCTAssertEqual(mtcnn.text.split(separator: "\n").last, """
              mtcnn per whole search (2, last round): picture + pyramid 5.0 ms, P-Net 10.0 ms, R-Net 2.0 ms, O-Net 1.0 ms; \
            per search around known faces (4): 2.0 ms; per lost face searched again (0): 0.0 ms
            """)
        let json = try object(mtcnn)
        XCTAssertEqual(Set(json.keys), commonKeys.union([
            "haar_pipeline_fps", "haar_detector_ms_per_frame", "mtcnn_whole_searches", "mtcnn_pyramid_ms", "mtcnn_pnet_ms",
            "mtcnn_rnet_ms", "mtcnn_onet_ms", "mtcnn_follows", "mtcnn_follow_ms", "mtcnn_refinds", "mtcnn_refind_ms",
        ]))
        XCTAssertEqual(json["mtcnn_follows"] as? Int, 4)
    }

    func testAMissingClipIsRefusedBeforeAnythingRuns() {
        XCTAssertThrowsError(try VideoBenchmark(video: "/nonexistent/clip.mp4", cascadePath: nil, options: DetectorOptions(),
                                                rounds: 1)) { error in
            XCTAssertEqual("\(error)", "\(PipelineError.sourceNotFound(path: "/nonexistent/clip.mp4"))")
        }
    }
}
