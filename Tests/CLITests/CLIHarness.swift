import Foundation
import XCTest

/// Runs the `emotion-live` binary as a user would and captures what it prints.
///
/// `make test` sets EMOTION_LIVE_BIN to the release build (the binary users run); a plain
/// `swift test` falls back to the debug build beside the test bundle.
enum CLI {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared` beside the checkout: data, models and media that are never committed.
    static let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")

    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["EMOTION_LIVE_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("emotion-live")
        }
        return Bundle.main.bundleURL.appendingPathComponent("emotion-live")
    }

    /// True when the binary is an optimized build; heavy end-to-end checks need one.
    static var isRelease: Bool { binary.path.contains("/release/") }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
    }

    /// Runs the binary with `arguments`, killing it after `timeout` seconds.
    @discardableResult
    static func run(_ arguments: [String], executable: URL? = nil, environment: [String: String]? = nil,
                    timeout: TimeInterval = 300) throws -> Result {
        let process = Process()
        process.executableURL = executable ?? binary
        process.arguments = arguments
        process.currentDirectoryURL = packageRoot
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Drain both pipes while the process runs so a chatty child never blocks on a full pipe.
        var outData = Data(), errData = Data()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { outData = out.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            XCTFail("emotion-live \(arguments.joined(separator: " ")) ran over \(timeout) s")
        }
        process.waitUntilExit()
        group.wait()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// A file in ../shared, or a skip that says why.
    static func sharedFile(_ relative: String) throws -> String {
        let url = shared.appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("\(url.path) is absent: ../shared (data, models, media) is not beside this checkout")
        }
        return url.path
    }

    static var bundledModel: String { packageRoot.appendingPathComponent("models/emotion-cnn.h5").path }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("emotion-live-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func json(_ line: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try XCTUnwrap(object as? [String: Any], "not a JSON object: \(line.prefix(200))")
    }
}

/// Asserts the failure contract: non-zero exit, one line on stderr that names `subject`, no stdout.
func assertCleanFailure(_ result: CLI.Result, naming subject: String, status: Int32 = 1,
                        file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(result.status, status, "exit status; stderr: \(result.stderr)", file: file, line: line)
    let lines = result.stderr.split(separator: "\n")
    XCTAssertEqual(lines.count, 1, "expected one line on stderr, got: \(result.stderr)", file: file, line: line)
    XCTAssertTrue(result.stderr.contains(subject), "stderr should name \(subject): \(result.stderr)", file: file, line: line)
    XCTAssertEqual(result.stdout, "", "nothing on stdout on failure", file: file, line: line)
}
