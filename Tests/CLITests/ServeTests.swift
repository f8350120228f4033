import Foundation
import XCTest

/// `emotion-live serve` end to end: a real server on a free loopback port, curl for HTTP and a
/// socket-level WebSocket client. Pictures are generated here (project-owned) or taken from
/// ../shared/media (skipped when absent).
final class ServeTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("serve-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: directory) }

    /// A picture made by ffmpeg: `testsrc` or noise, in the format the extension names.
    private func picture(_ name: String, size: String = "320x240", noise: Bool = false) throws -> Data {
        let path = directory.appendingPathComponent(name).path
        let source = noise ? "nullsrc=s=\(size),geq=random(1)*255:128:128" : "testsrc=s=\(size)"
        try CLI.ffmpeg(["-f", "lavfi", "-i", source, "-frames:v", "1", "-update", "1", path])
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    private func faces(_ object: [String: Any]) -> [[String: Any]] { object["faces"] as? [[String: Any]] ?? [] }

    // MARK: POST /v1/analyze

    /// On real photos the reply is the headless run's frame: the same boxes, labels and
    /// probabilities (to the printed digits), under the same keys.
    func testAnalyzeAgreesWithTheHeadlessRunOnRealPhotos() throws {
        let photos = try ["one_face_frontal.jpg", "two_people.jpg", "group_selfie.jpg"].map { try CLI.sharedFile("media/images/\($0)") }
        let server = try ServeProcess()
        for photo in photos {
            let reply = try server.request("POST", "/v1/analyze", body: try Data(contentsOf: URL(fileURLWithPath: photo)),
                                           headers: ["Content-Type": "image/jpeg"])
            XCTAssertEqual(reply.status, 200, reply.text)
            XCTAssert(reply.headers.lowercased().contains("content-type: application/json"), reply.headers)
            let served = try reply.json()
            XCTAssertEqual(Set(served.keys), ["frame", "time", "faces"])
            let run = try CLI.run([photo, "--headless", "--format", "jsonl"])
            XCTAssertEqual(run.status, 0, run.stderr)
            let expected = try CLI.json(run.stdout.split(separator: "\n").first.map(String.init) ?? "")
            let (got, want) = (faces(served), faces(expected))
            XCTAssertGreaterThan(want.count, 0, photo)
            XCTAssertEqual(got.count, want.count, photo)
            for (a, b) in zip(got, want) {
                XCTAssertEqual(a["box"] as? [Int], b["box"] as? [Int], photo)
                XCTAssertEqual(a["label"] as? String, b["label"] as? String, photo)
                XCTAssertEqual(a["probabilities"] as? [String: Double], b["probabilities"] as? [String: Double], photo)
                XCTAssertEqual(Set(a.keys), ["box", "label", "confidence", "probabilities"])
            }
        }
        XCTAssertEqual(server.stop(), 0, server.stderr)
    }

    /// `serve --detector mtcnn`: the reply carries each face's landmarks, and its faces are the
    /// headless run's with the same detector.
    func testAnalyzeWithMTCNNGivesLandmarks() throws {
        let photo = try CLI.sharedFile("media/images/two_people.jpg")
        let server = try ServeProcess(["--detector", "mtcnn"])
        let reply = try server.request("POST", "/v1/analyze", body: try Data(contentsOf: URL(fileURLWithPath: photo)),
                                       headers: ["Content-Type": "image/jpeg"])
        XCTAssertEqual(reply.status, 200, reply.text)
        let served = faces(try reply.json())
        let run = try CLI.run([photo, "--headless", "--format", "jsonl", "--detector", "mtcnn"])
        let expected = faces(try CLI.json(run.stdout.split(separator: "\n").first.map(String.init) ?? ""))
        XCTAssertEqual(served.count, 2)
        XCTAssertEqual(served.map { $0["box"] as? [Int] }, expected.map { $0["box"] as? [Int] })
        for face in served { XCTAssertEqual((face["landmarks"] as? [[Double]])?.count, 5, "\(face)") }
        XCTAssertEqual(server.stop(), 0, server.stderr)
    }

    /// PNG and WebP bodies are read like JPEG.
    func testAnalyzeReadsPNGAndWebP() throws {
        let photo = try CLI.sharedFile("media/images/two_people.jpg")
        let server = try ServeProcess()
        let jpeg = try server.request("POST", "/v1/analyze", body: try Data(contentsOf: URL(fileURLWithPath: photo)))
        for format in ["png", "webp"] {
            let path = directory.appendingPathComponent("two.\(format)").path
            try CLI.ffmpeg(["-i", photo, "-frames:v", "1"] + (format == "webp" ? ["-lossless", "1"] : []) + [path])
            let reply = try server.request("POST", "/v1/analyze", body: try Data(contentsOf: URL(fileURLWithPath: path)))
            XCTAssertEqual(reply.status, 200, "\(format): \(reply.text)")
            XCTAssertEqual(faces(try reply.json()).count, faces(try jpeg.json()).count, format)
        }
    }

    /// Every bad request gets its status and a JSON error with a message, and the server goes
    /// on serving.
    func testBadRequestsGetJSONErrorsWithTheirStatus() throws {
        let server = try ServeProcess(["--max-body", "65536"])
        let jpeg = try picture("flat.jpg")
        var hugePNG = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8))
        hugePNG += Data([0, 0, 0x23, 0x28, 0, 0, 0x23, 0x28, 8, 2, 0, 0, 0, 0, 0, 0, 0])  // 9000 x 9000
        let cases: [(String, String, Data?, Int, String)] = [
            ("POST", "/v1/analyze", Data("hello, not a picture".utf8), 415, "not a JPEG, PNG or WebP"),
            ("POST", "/v1/analyze", Data(), 415, "not a JPEG, PNG or WebP"),
            ("POST", "/v1/analyze", jpeg.prefix(300), 400, "cannot be decoded"),
            ("POST", "/v1/analyze", Data([0xFF, 0xD8, 0xFF, 0xE0]) + Data(repeating: 0x41, count: 2000), 400, "cannot be decoded"),
            ("POST", "/v1/analyze", Data(repeating: 0xFF, count: 70000), 413, "limit"),
            ("POST", "/v1/analyze", hugePNG, 413, "9000x9000"),
            ("GET", "/v2/nothing", nil, 404, "no such route"),
            ("GET", "/v1/stream", nil, 426, "WebSocket"),
        ]
        for (method, path, body, status, message) in cases {
            let reply = try server.request(method, path, body: body)
            XCTAssertEqual(reply.status, status, "\(method) \(path): \(reply.text)")
            let error = try XCTUnwrap(try reply.json()["error"] as? [String: Any], reply.text)
            XCTAssertEqual(error["status"] as? Int, status)
            XCTAssert((error["message"] as? String ?? "").contains(message), "\(path): \(reply.text)")
        }
        let fine = try server.request("POST", "/v1/analyze", body: jpeg)
        XCTAssertEqual(fine.status, 200, fine.text)
        XCTAssertEqual(faces(try fine.json()).count, 0)
        XCTAssertFalse(server.stderr.contains("hello, not a picture"), "request bodies are never logged")
        XCTAssertEqual(server.stop(), 0, server.stderr)
    }

    /// `--token`: every route but the page and the health check wants it, as a bearer header or
    /// a query parameter; the WebSocket too. The token never reaches the log.
    func testATokenGuardsEverythingButThePageAndTheHealthCheck() throws {
        let server = try ServeProcess(["--token", "s3cret-token"])
        XCTAssertEqual(try server.request("GET", "/v1/model").status, 401)
        XCTAssertEqual(try server.request("GET", "/metrics", headers: ["Authorization": "Bearer wrong"]).status, 401)
        XCTAssertEqual(try server.request("GET", "/v1/model", headers: ["Authorization": "Bearer s3cret-token"]).status, 200)
        XCTAssertEqual(try server.request("GET", "/v1/model?token=s3cret-token").status, 200)
        XCTAssertEqual(try server.request("GET", "/healthz").status, 200)
        XCTAssertEqual(try server.request("GET", "/").status, 200)
        let refused = try server.request("GET", "/v1/model?token=s3cret-tokeN")
        XCTAssertEqual((try refused.json()["error"] as? [String: Any])?["status"] as? Int, 401)
        try assertRefused(WebSocketClient(port: server.port, path: "/v1/stream"), status: 401, message: "token")
        let stream = try WebSocketClient(port: server.port, path: "/v1/stream?token=s3cret-token")
        try stream.sendBinary(Array(try picture("a.jpg")))
        XCTAssertNotNil(try stream.receiveText())
        XCTAssertFalse(server.stderr.contains("s3cret"), server.stderr)
    }

    /// `/v1/model` is `inspect --format json`; `/healthz` reports the workers; `/metrics`
    /// counts what was served.
    func testModelHealthAndMetrics() throws {
        let server = try ServeProcess(["--workers", "2"])
        let model = try server.request("GET", "/v1/model")
        let inspect = try CLI.run(["inspect", CLI.bundledModel, "--format", "json"])
        XCTAssertEqual(try model.json() as NSDictionary, try CLI.json(inspect.stdout) as NSDictionary)
        let health = try server.request("GET", "/healthz").json()
        XCTAssertEqual(health["status"] as? String, "ok")
        XCTAssertEqual(health["workers"] as? Int, 2)
        let jpeg = try picture("flat.jpg")
        for _ in 0..<3 { XCTAssertEqual(try server.request("POST", "/v1/analyze", body: jpeg).status, 200) }
        XCTAssertEqual(try server.request("POST", "/v1/analyze", body: Data("x".utf8)).status, 415)
        let metrics = try server.request("GET", "/metrics")
        XCTAssertEqual(metrics.status, 200)
        for line in [#"emotion_live_requests_total{route="/v1/analyze",status="200"} 3"#,
                     #"emotion_live_requests_total{route="/v1/analyze",status="415"} 1"#,
                     "emotion_live_frames_total 3", "emotion_live_processing_seconds_count 3",
                     #"emotion_live_processing_seconds_bucket{le="+Inf"} 3"#, "emotion_live_in_flight 0"] {
            XCTAssert(metrics.text.contains(line + "\n"), "missing \(line) in\n\(metrics.text)")
        }
        let page = try server.request("GET", "/")
        XCTAssert(page.text.contains("getUserMedia") && page.text.contains("/v1/stream"), "the page drives the stream")
        XCTAssertFalse(page.text.contains("http://") || page.text.contains("https://"), "the page loads nothing from elsewhere")
    }

    // MARK: GET /v1/stream

    /// One reply per frame answered; frames that arrive faster than they are done replace each
    /// other in a one-frame slot and are counted: answered + dropped = sent. A bad frame gets
    /// an error reply and the stream goes on.
    func testStreamAnswersEachFrameOrCountsItDropped() throws {
        let server = try ServeProcess(["--workers", "1"])
        let stream = try WebSocketClient(port: server.port, path: "/v1/stream")
        let small = Array(try picture("small.jpg"))
        try stream.sendBinary(small)
        let first = try CLI.json(try XCTUnwrap(try stream.receiveText()))
        XCTAssertEqual(first["frame"] as? Int, 0)
        XCTAssertEqual(first["dropped"] as? Int, 0)
        XCTAssertEqual(faces(first).count, 0)

        let big = Array(try picture("noise.jpg", size: "1920x1080", noise: true))
        let sent = 30
        for _ in 0..<sent { try stream.sendBinary(big) }
        var answered = 0, dropped = 0
        while answered + dropped < sent {
            let reply = try CLI.json(try XCTUnwrap(try stream.receiveText(), "the stream closed early"))
            XCTAssertNil(reply["error"], "\(reply)")
            answered += 1
            dropped += reply["dropped"] as? Int ?? 0
        }
        XCTAssertEqual(answered + dropped, sent)
        XCTAssertGreaterThan(dropped, 0, "30 full-HD frames at once cannot all be analysed in time")

        try stream.sendBinary(Array("not a picture".utf8))
        let bad = try CLI.json(try XCTUnwrap(try stream.receiveText()))
        XCTAssertEqual((bad["error"] as? [String: Any])?["status"] as? Int, 415)
        try stream.sendBinary(small)
        XCTAssertNotNil(try CLI.json(try XCTUnwrap(try stream.receiveText()))["faces"], "the stream goes on after a bad frame")
        let metrics = try server.request("GET", "/metrics").text
        XCTAssert(metrics.contains("emotion_live_dropped_frames_total \(dropped)\n"), metrics)
    }

    /// Frames of a real clip, one at a time: faces keep their ids across frames.
    func testStreamKeepsFaceIdsAcrossTheFramesOfAClip() throws {
        let clip = try CLI.sharedFile("media/videos/woman_talking_596x336.mp4")
        try CLI.ffmpeg(["-i", clip, "-frames:v", "12", "-q:v", "3", directory.appendingPathComponent("f%02d.jpg").path])
        let server = try ServeProcess()
        let stream = try WebSocketClient(port: server.port, path: "/v1/stream")
        var ids: [Int] = []
        for index in 1...12 {
            try stream.sendBinary(Array(try Data(contentsOf: directory.appendingPathComponent(String(format: "f%02d.jpg", index)))))
            let reply = try CLI.json(try XCTUnwrap(try stream.receiveText()))
            XCTAssertEqual(reply["frame"] as? Int, index - 1)
            ids += faces(reply).compactMap { $0["id"] as? Int }
        }
        XCTAssertGreaterThanOrEqual(ids.count, 10, "the face is found in most frames")
        XCTAssertEqual(Set(ids).count, 1, "one face, one id: \(ids)")
    }

    /// A client that vanishes mid-stream (no close frame) costs the server nothing: its slot
    /// is freed and the next client is served.
    func testAClientThatDisconnectsMidStreamLeavesTheServerHealthy() throws {
        let server = try ServeProcess(["--max-clients", "1"])
        let big = Array(try picture("noise.jpg", size: "1280x720", noise: true))
        let first = try WebSocketClient(port: server.port, path: "/v1/stream")
        for _ in 0..<5 { try first.sendBinary(big) }
        first.abort()
        var next: WebSocketClient?
        let deadline = Date().addingTimeInterval(15)
        while next == nil && Date() < deadline {
            next = try? WebSocketClient(port: server.port, path: "/v1/stream")
            if next == nil { usleep(100_000) }
        }
        let stream = try XCTUnwrap(next, "the slot of the vanished client was never freed")
        try stream.sendBinary(Array(try picture("small.jpg")))
        XCTAssertNotNil(try stream.receiveText())
        XCTAssertEqual(try server.request("GET", "/healthz").json()["status"] as? String, "ok")
        XCTAssertEqual(server.stop(), 0, server.stderr)
    }

    /// A refused stream (a WebSocket handshake cannot carry a body, and browsers see no status)
    /// gets one JSON error with the status it stands for, then a close.
    private func assertRefused(_ stream: WebSocketClient, status: Int, message: String,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let reply = try CLI.json(try XCTUnwrap(try stream.receiveText(), file: file, line: line))
        let error = reply["error"] as? [String: Any]
        XCTAssertEqual(error?["status"] as? Int, status, "\(reply)", file: file, line: line)
        XCTAssert((error?["message"] as? String ?? "").contains(message), "\(reply)", file: file, line: line)
        XCTAssertNil(try stream.receiveText(), "then the stream is closed", file: file, line: line)
    }

    /// `--max-clients`: one stream more is refused with 503; a freed slot is taken again.
    func testTooManyStreamClientsGet503() throws {
        let server = try ServeProcess(["--max-clients", "1"])
        let first = try WebSocketClient(port: server.port, path: "/v1/stream")
        try first.sendBinary(Array(try picture("a.jpg")))
        XCTAssertNotNil(try first.receiveText())
        try assertRefused(WebSocketClient(port: server.port, path: "/v1/stream"), status: 503, message: "too many WebSocket clients")
        try first.sendClose()
        XCTAssertNil(try first.receiveText())
        var served = false
        let deadline = Date().addingTimeInterval(10)
        while !served && Date() < deadline {
            let next = try WebSocketClient(port: server.port, path: "/v1/stream")
            try next.sendBinary(Array(try picture("a.jpg")))
            served = (try? CLI.json(try next.receiveText() ?? ""))?["faces"] != nil
            if !served { usleep(100_000) }
        }
        XCTAssert(served, "the slot is free again once the first client has closed")
    }

    /// SIGTERM with a stream open: the stream is closed (1001) and the server exits 0.
    func testSIGTERMClosesOpenStreams() throws {
        let server = try ServeProcess()
        let stream = try WebSocketClient(port: server.port, path: "/v1/stream", timeout: 15)
        try stream.sendBinary(Array(try picture("a.jpg")))
        XCTAssertNotNil(try stream.receiveText())
        server.process.terminate()
        XCTAssertNil(try stream.receiveText(), "the stream is closed on shutdown")
        XCTAssertEqual(server.stop(), 0, server.stderr)
    }

    /// A stream that sends nothing for --idle-timeout is closed.
    func testIdleStreamsAreClosed() throws {
        let server = try ServeProcess(["--idle-timeout", "1"])
        let stream = try WebSocketClient(port: server.port, path: "/v1/stream", timeout: 10)
        let start = Date()
        XCTAssertNil(try stream.receiveText(), "an idle stream is closed")
        XCTAssertLessThan(Date().timeIntervalSince(start), 8)
    }

    /// A connection that never sends a request is closed after --idle-timeout too (Hummingbird
    /// times out only requests already begun; `FirstRequestDeadline`), and one that sends a
    /// request in time is served.
    func testSilentConnectionsAreClosed() throws {
        let server = try ServeProcess(["--idle-timeout", "1"])
        let silent = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(silent) }
        var address = Loopback.loopbackAddress(port: server.port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(silent, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        XCTAssertEqual(connected, 0)
        var limit = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(silent, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let start = Date()
        var byte: UInt8 = 0
        XCTAssertEqual(recv(silent, &byte, 1, 0), 0, "the server closes a silent connection (errno \(errno))")
        XCTAssertLessThan(Date().timeIntervalSince(start), 8)
        XCTAssertEqual(try server.request("GET", "/healthz").status, 200, "a client that speaks is served")
        XCTAssertEqual(server.stop(), 0, server.stderr)
    }

    // MARK: the command

    func testBadFlagsAndModelsAreRefusedInOneLine() throws {
        for flags in [["--port", "70000"], ["--workers", "0"], ["--max-body", "10"], ["--token", ""], ["--idle-timeout", "0"],
                      ["--max-queue-wait", "-1"], ["--max-queue-wait", "nan"]] {
            let result = try CLI.run(["serve"] + flags)
            XCTAssertEqual(result.status, 64, "\(flags): \(result.stderr)")
        }
        let missing = try CLI.run(["serve", "--port", "0", "--model", "/nonexistent/model.h5"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.stderr.split(separator: "\n").count, 1, missing.stderr)
        XCTAssert(missing.stderr.contains("/nonexistent/model.h5"), missing.stderr)
    }

    /// Bound beyond loopback without a token, the server says so; SIGTERM ends it with 0.
    func testExposingWithoutATokenWarnsAndSIGTERMStopsCleanly() throws {
        let server = try ServeProcess(["--host", "0.0.0.0"])
        XCTAssert(server.stderr.contains("without --token"), server.stderr)
        XCTAssertEqual(server.stop(), 0, server.stderr)
    }
}
