@testable import EmotionServer
import XCTest

final class ServerPartsTests: XCTestCase {
    func testTokensCompareByValue() {
        XCTAssertTrue(constantTimeEqual("s3cret", "s3cret"))
        XCTAssertFalse(constantTimeEqual("s3cret", "s3creT"))
        XCTAssertFalse(constantTimeEqual("s3cret", "s3cret2"))
        XCTAssertFalse(constantTimeEqual("", "x"))
        XCTAssertTrue(constantTimeEqual("", ""))
    }

    /// The exposition text: counters per route and status, a cumulative histogram whose +Inf
    /// bucket is the count.
    func testMetricsText() {
        let metrics = ServerMetrics()
        metrics.request(route: "/v1/analyze", status: 200)
        metrics.request(route: "/v1/analyze", status: 200)
        metrics.request(route: "/v1/analyze", status: 415)
        metrics.frame(faces: 2, seconds: 0.03)
        metrics.frame(faces: 0, seconds: 3)
        metrics.dropped(4)
        let text = metrics.text()
        for line in [#"emotion_live_requests_total{route="/v1/analyze",status="200"} 2"#,
                     #"emotion_live_requests_total{route="/v1/analyze",status="415"} 1"#,
                     "emotion_live_frames_total 2", "emotion_live_faces_total 2", "emotion_live_dropped_frames_total 4",
                     #"emotion_live_processing_seconds_bucket{le="0.025"} 0"#,
                     #"emotion_live_processing_seconds_bucket{le="0.05"} 1"#,
                     #"emotion_live_processing_seconds_bucket{le="5.0"} 2"#,
                     #"emotion_live_processing_seconds_bucket{le="+Inf"} 2"#, "emotion_live_processing_seconds_count 2"] {
            XCTAssert(text.contains(line + "\n"), "missing \(line) in\n\(text)")
        }
        XCTAssertTrue(metrics.openStream(limit: 1))
        XCTAssertFalse(metrics.openStream(limit: 1))
        metrics.stream(opened: false)
        XCTAssertTrue(metrics.openStream(limit: 1))
    }

    func testErrorsAndExposure() {
        XCTAssertEqual(APIError.notAnImage().json, #"{"error":{"message":"the body is not a JPEG, PNG or WebP image","status":415}}"#)
        XCTAssertEqual(APIError.notAnImage().json(frame: 3), #"{"error":{"message":"the body is not a JPEG, PNG or WebP image","status":415},"frame":3}"#)
        XCTAssertEqual(APIError.busy(retryAfter: 3).retryAfter, 3)
        var options = ServerOptions()
        XCTAssertFalse(options.isExposed)
        options.host = "0.0.0.0"
        XCTAssertTrue(options.isExposed)
        options.host = "127.0.0.2"
        XCTAssertFalse(options.isExposed)
    }
}
