import EmotionPipeline
import XCTest

final class StreamURLTests: XCTestCase {
    func testURLsAreStreamsAndPathsAreNot() {
        for text in ["rtsp://cam.local/stream", "RTSPS://h/x", "http://127.0.0.1:8080/clip.mp4", "https://a.b/live.m3u8",
                     "udp://@:1234", "srt://h:9000?mode=caller", "rtmp://h/app/key"] {
            guard case let .stream(url) = SourceSpec(parsing: text) else { return XCTFail("\(text) is a stream") }
            XCTAssertEqual(url.text, text)
        }
        for text in ["clip.mp4", "/tmp/a://b", "0", "://nothing", "1http://x", "dir/rtsp:/x"] {
            if case .stream = SourceSpec(parsing: text) { XCTFail("\(text) is not a URL") }
        }
        XCTAssertEqual(StreamURL("RTSP://h/x")?.scheme, "rtsp")
    }

    func testCredentialsAreRedactedEverywhere() throws {
        let url = try XCTUnwrap(StreamURL("rtsp://admin:p%40ss:w0rd@cam.local:554/h264?x=1"))
        XCTAssertEqual(url.redacted, "rtsp://***@cam.local:554/h264?x=1")
        XCTAssertEqual(url.description, url.redacted)
        XCTAssertEqual(SourceSpec(parsing: url.text).description, url.redacted)
        let message = "method DESCRIBE failed for rtsp://admin:p%40ss:w0rd@cam.local:554/h264?x=1 (user admin, password p@ss:w0rd)"
        let scrubbed = url.scrub(message)
        for secret in ["admin", "p%40ss", "p@ss:w0rd"] { XCTAssertFalse(scrubbed.contains(secret), scrubbed) }
        XCTAssertTrue(scrubbed.contains("rtsp://***@cam.local:554/h264?x=1"), scrubbed)

        // An '@' in the path or query is not user information.
        let plain = try XCTUnwrap(StreamURL("http://host/a@b?c=d@e"))
        XCTAssertEqual(plain.redacted, plain.text)
        XCTAssertEqual(plain.scrub("x"), "x")
        // A user without a password is hidden too.
        XCTAssertEqual(StreamURL("srt://token@h:9000")?.redacted, "srt://***@h:9000")
    }

    func testLiveSchemesAndBackoff() {
        XCTAssertTrue(StreamURL("rtsp://h/x")!.hasLiveScheme)
        XCTAssertTrue(StreamURL("udp://@:1234")!.hasLiveScheme)
        XCTAssertFalse(StreamURL("http://h/x.mp4")!.hasLiveScheme, "http is decided by what FFmpeg reports")
        XCTAssertEqual((1...7).map(StreamOptions.backoff(attempt:)), [0.5, 1, 2, 4, 5, 5, 5])
    }

    /// Opening a URL nobody serves fails with the redacted URL and FFmpeg's reason, at once.
    func testAnUnreachableStreamFailsNamingTheRedactedURL() {
        let spec = SourceSpec(parsing: "rtsp://user:secretpw@127.0.0.1:9/live")
        XCTAssertThrowsError(try openSource(spec, stream: StreamOptions(timeout: 2))) { error in
            guard case let .streamUnavailable(url, reason)? = error as? PipelineError else { return XCTFail("\(error)") }
            XCTAssertEqual(url, "rtsp://***@127.0.0.1:9/live")
            XCTAssertTrue(reason.contains("refused"), reason)
            XCTAssertFalse("\(error)".contains("secretpw"))
        }
    }
}
