import Foundation
import XCTest

/// Waits for a condition instead of sleeping for a guessed time: `condition` is polled every
/// `interval` seconds until it holds. After `timeout` seconds, or as soon as `process` (the
/// program that should bring the condition about) has exited, the test fails with a line naming
/// `what`, and the error thrown ends it there: the steps after a wait need its condition.
/// Timeouts are generous: they only stop a hang, they never pace a passing test.
func waitUntil(_ what: @autoclosure () -> String, timeout: TimeInterval = 60, interval: TimeInterval = 0.05,
               process: Process? = nil, file: StaticString = #filePath, line: UInt = #line,
               _ condition: () throws -> Bool) throws {
    let deadline = Date(timeIntervalSinceNow: timeout)
    var failure: String?
    while failure == nil {
        if try condition() { return }
        if let process, !process.isRunning {
            // One last look: the condition may have come about just before the exit.
            if try condition() { return }
            failure = "\(process.executableURL?.lastPathComponent ?? "the process") exited with status "
                + "\(process.terminationStatus) before \(what())"
        } else if Date() >= deadline {
            failure = "timed out after \(timeout) s waiting for \(what())"
        } else {
            usleep(useconds_t(interval * 1_000_000))
        }
    }
    XCTFail(failure!, file: file, line: line)
    throw WaitFailure(description: failure!)
}

/// What `waitUntil` throws once it has failed the test.
struct WaitFailure: Error, CustomStringConvertible {
    let description: String
}

/// The X display a windowed run draws on (xvfb-run picks a free one), read from the run's
/// environment, so that xdotool and ffmpeg's x11grab reach the same screen.
struct XDisplay {
    /// DISPLAY and XAUTHORITY, for the tools run against the display.
    let environment: [String: String]

    /// xvfb-run's arguments for a 1024x768 screen of its own. `-a` alone looks for a free
    /// display from :99 up, so test runs side by side (two `make test`s) take the same number
    /// at the same moment and one run's window cannot connect: a random first number keeps
    /// them apart.
    static var xvfbRunArguments: [String] { ["-a", "-n", "\(Int.random(in: 200..<5000))", "-s", "-screen 0 1024x768x24"] }

    /// The display process `pid` was started on (nil when its environment names none).
    init?(process pid: pid_t) {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return nil }
        var found: [String: String] = [:]
        for entry in data.split(separator: 0) {
            let text = String(decoding: entry, as: UTF8.self)
            for key in ["DISPLAY", "XAUTHORITY"] where text.hasPrefix(key + "=") {
                found[key] = String(text.dropFirst(key.count + 1))
            }
        }
        guard let display = found["DISPLAY"], !display.isEmpty else { return nil }
        environment = found
    }

    /// xdotool with `arguments` on this display; whether it succeeded.
    @discardableResult
    func xdotool(_ arguments: [String]) throws -> Bool {
        try CLI.run(arguments, executable: try CLI.tool("xdotool"), environment: environment, timeout: 30).status == 0
    }

    /// Whether a window titled exactly `title` is mapped.
    func showsWindow(titled title: String) throws -> Bool {
        try xdotool(["search", "--onlyvisible", "--name", "^\(title)$"])
    }

    /// The whole screen as raw RGB bytes (ffmpeg's x11grab), nil when it cannot be read.
    func screenshot() throws -> Data? {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("screen-\(UUID().uuidString).rgb")
        defer { try? FileManager.default.removeItem(at: file) }
        let grab = try CLI.run(["-loglevel", "error", "-y", "-f", "x11grab", "-draw_mouse", "0", "-i", environment["DISPLAY"] ?? "",
                                "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", file.path],
                               executable: try CLI.tool("ffmpeg"), environment: environment, timeout: 30)
        guard grab.status == 0, let data = try? Data(contentsOf: file), !data.isEmpty else { return nil }
        return data
    }

    /// Whether the screen shows a picture: hundreds of colours, where an empty screen and a
    /// window not yet painted have a handful (sampled, every 7th pixel).
    func showsPicture() throws -> Bool {
        guard let pixels = try screenshot() else { return false }
        var colours = Set<UInt32>()
        pixels.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var offset = 0
            while offset + 2 < bytes.count && colours.count <= 500 {
                colours.insert(UInt32(bytes[offset]) << 16 | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]))
                offset += 3 * 7
            }
        }
        return colours.count > 500
    }
}
