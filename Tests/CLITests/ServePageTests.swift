import Foundation
import XCTest

/// The page at `/` in a real browser: headless Chromium with a fake webcam playing a clip with
/// a face (`--use-file-for-fake-video-capture`), driven and read over the DevTools protocol.
/// The live-webcam path end to end: getUserMedia, JPEG frames over /v1/stream, the overlay.
final class ServePageTests: XCTestCase {
    func testThePageShowsALabelledFaceFromTheWebcam() throws {
        let clip = try CLI.sharedFile("media/videos/woman_talking_596x336.mp4")
        let chromium = try CLI.tool("chromium")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("serve-page-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let camera = directory.appendingPathComponent("camera.y4m").path
        try CLI.ffmpeg(["-i", clip, "-t", "4", "-vf", "scale=640:360", "-pix_fmt", "yuv420p", camera])

        let server = try ServeProcess()
        let debugPort = try Loopback.freePort()
        let browser = Process()
        browser.executableURL = chromium
        browser.arguments = [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--mute-audio",
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            "--use-file-for-fake-video-capture=\(camera)", "--autoplay-policy=no-user-gesture-required",
            "--remote-debugging-port=\(debugPort)", "--user-data-dir=\(directory.appendingPathComponent("profile").path)",
            "--window-size=1280,860", server.base + "/?autostart=1",
        ]
        browser.standardOutput = FileHandle.nullDevice
        browser.standardError = FileHandle.nullDevice
        try browser.run()
        defer { if browser.isRunning { browser.terminate(); browser.waitUntilExit() } }

        let page = try DevTools.page(port: debugPort)
        var state = ""
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            state = try page.evaluate("[document.body.dataset.state, document.body.dataset.faces, document.body.dataset.labels, document.querySelectorAll('#faces .face .label').length, document.getElementById('fps').textContent].join('|')")
            let parts = state.split(separator: "|", omittingEmptySubsequences: false)
            if parts.count == 5, parts[0] == "live", Int(parts[1]) ?? 0 >= 1, !parts[2].isEmpty, Int(parts[3]) ?? 0 >= 1,
               parts[4] != "–" { break }
            usleep(250_000)
        }
        let parts = state.split(separator: "|", omittingEmptySubsequences: false)
        XCTAssertEqual(parts.first, "live", "page state: \(state)\nserver: \(server.stderr)")
        XCTAssertGreaterThanOrEqual(Int(parts.count > 1 ? parts[1] : "") ?? 0, 1, "a face in the overlay: \(state)")
        let labels = try page.evaluate("document.body.dataset.labels")
        let known = ["angry", "contempt", "disgust", "disgusted", "fear", "fearful", "happy", "sad", "surprise", "surprised", "neutral"]
        XCTAssert(labels.split(separator: ",").allSatisfy { known.contains(String($0)) } && !labels.isEmpty, labels)
        // The overlay's pixels: the canvas shows the video (not a blank frame).
        let painted = try page.evaluate("(() => { const c = document.getElementById('view'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let s = 0; for (let i = 0; i < d.length; i += 397) s += d[i]; return String(s > 0 && c.width >= 320); })()")
        XCTAssertEqual(painted, "true")
        XCTAssert(try page.evaluate("document.getElementById('fps').textContent") != "–", "the frame rate is shown")

        let screenshot = try page.screenshot()
        XCTAssertEqual(Array(screenshot.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        let saved = CLI.packageRoot.appendingPathComponent(".build/serve-page.png")
        try? screenshot.write(to: saved)
        let metrics = try server.request("GET", "/metrics").text
        XCTAssert(metrics.contains("emotion_live_frames_total"), metrics)
    }
}

/// Just enough of Chrome's DevTools protocol: find the page, evaluate JavaScript, take a
/// screenshot.
final class DevTools {
    private let socket: WebSocketClient
    private var nextID = 1

    private init(socket: WebSocketClient) { self.socket = socket }

    static func page(port: Int, timeout: TimeInterval = 30) throws -> DevTools {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            curl.arguments = ["-s", "-m", "5", "http://127.0.0.1:\(port)/json/list"]
            let out = Pipe()
            curl.standardOutput = out
            try curl.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            curl.waitUntilExit()
            if let targets = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]],
               let target = targets.first(where: { $0["type"] as? String == "page" }),
               let url = target["webSocketDebuggerUrl"] as? String, let path = URL(string: url)?.path {
                return DevTools(socket: try WebSocketClient(port: port, path: path))
            }
            usleep(200_000)
        }
        throw XCTSkip("Chromium's DevTools endpoint did not come up on port \(port)")
    }

    private func call(_ method: String, _ params: [String: Any]) throws -> [String: Any] {
        let id = nextID
        nextID += 1
        let message = try JSONSerialization.data(withJSONObject: ["id": id, "method": method, "params": params])
        try socket.sendText(String(decoding: message, as: UTF8.self))
        while let text = try socket.receiveText() {
            guard let reply = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                  reply["id"] as? Int == id else { continue }
            return reply["result"] as? [String: Any] ?? [:]
        }
        throw NSError(domain: "DevTools", code: 1, userInfo: [NSLocalizedDescriptionKey: "DevTools closed"])
    }

    func evaluate(_ expression: String) throws -> String {
        let result = try call("Runtime.evaluate", ["expression": expression, "returnByValue": true])
        return ((result["result"] as? [String: Any])?["value"]).map { "\($0)" } ?? ""
    }

    func screenshot() throws -> Data {
        let result = try call("Page.captureScreenshot", ["format": "png"])
        return Data(base64Encoded: result["data"] as? String ?? "") ?? Data()
    }
}
