import Foundation
import XCTest

/// `emotion-live serve` on a free loopback port for one test, and curl as its HTTP client.
final class ServeProcess {
    let process = Process()
    private(set) var port = 0
    private let errors = Pipe()
    private let lock = NSLock()
    private var stderrText = ""

    /// Starts the server with `arguments` (plus `--port 0`) and waits until it listens.
    init(_ arguments: [String] = [], timeout: TimeInterval = 60) throws {
        process.executableURL = CLI.binary
        process.arguments = ["serve", "--port", "0"] + arguments
        process.currentDirectoryURL = CLI.packageRoot
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        errors.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock()
            self.stderrText += String(decoding: data, as: UTF8.self)
            self.lock.unlock()
        }
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline && process.isRunning {
            if let range = stderr.range(of: #"serving on http://[0-9.]+:(\d+)"#, options: .regularExpression) {
                port = Int(stderr[range].split(separator: ":").last ?? "") ?? 0
                return
            }
            usleep(20_000)
        }
        let text = stderr
        stop()
        throw NSError(domain: "ServeProcess", code: 1, userInfo: [NSLocalizedDescriptionKey: "serve did not start: \(text)"])
    }

    var stderr: String {
        lock.lock()
        defer { lock.unlock() }
        return stderrText
    }

    var base: String { "http://127.0.0.1:\(port)" }

    /// SIGTERM, as a service manager stops it; the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(20)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        errors.fileHandleForReading.readabilityHandler = nil
        return process.terminationStatus
    }

    deinit { if process.isRunning { stop() } }

    struct Reply {
        let status: Int
        let body: Data
        let headers: String
        var text: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> [String: Any] {
            try XCTUnwrap(JSONSerialization.jsonObject(with: body) as? [String: Any], "not a JSON object: \(text)")
        }
    }

    /// One request through curl (a real HTTP client, a new connection each time).
    func request(_ method: String = "GET", _ path: String, body: Data? = nil, headers: [String: String] = [:]) throws -> Reply {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var arguments = ["-s", "-m", "60", "-o", directory.appendingPathComponent("body").path,
                         "-D", directory.appendingPathComponent("headers").path, "-w", "%{http_code}", "-X", method]
        if let body {
            let file = directory.appendingPathComponent("request")
            try body.write(to: file)
            arguments += ["--data-binary", "@" + file.path]
        }
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        arguments.append(base + path)
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = arguments
        let out = Pipe()
        curl.standardOutput = out
        try curl.run()
        let code = out.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        return Reply(status: Int(String(decoding: code, as: UTF8.self)) ?? 0,
                     body: (try? Data(contentsOf: directory.appendingPathComponent("body"))) ?? Data(),
                     headers: (try? String(contentsOf: directory.appendingPathComponent("headers"), encoding: .utf8)) ?? "")
    }
}
