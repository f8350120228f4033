import Foundation
import XCTest

/// Servers on the loopback interface for the network-source tests: real ones (ffmpeg serving a
/// live stream, Python's http.server, an RTSP relay) run as child processes, and hostile ones
/// (silent, garbage) in this process. Every one listens on 127.0.0.1 only and stops with its test.
enum Loopback {
    /// A TCP port nobody listens on right now (bound, read, released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw XCTSkip("no sockets here") }
        defer { close(fd) }
        var address = loopbackAddress(port: 0)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func loopbackAddress(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// Whether something accepts TCP connections on `port`.
    static func isListening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopbackAddress(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// Waits until `port` accepts connections (false after `timeout`). Probing a one-client
    /// server (ffmpeg -listen 1) would use it up, so those are waited for differently.
    static func waitUntilListening(_ port: Int, timeout: TimeInterval = 20) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            if isListening(port) { return true }
            usleep(100_000)
        }
        return false
    }

    /// Whether a process listens on `port`, from /proc/net/tcp (no connection made).
    static func hasListener(_ port: Int) -> Bool {
        guard let table = try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8) else { return false }
        let local = String(format: ":%04X", port)
        return table.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 3 && fields[1].hasSuffix(local) && fields[3] == "0A"  // 0A: LISTEN
        }
    }

    /// The status line an RTSP server on `port` answers a DESCRIBE of `path` with ("RTSP/1.0 200
    /// OK" once it has the stream), nil when nothing answers within two seconds.
    static func rtspStatus(port: Int, path: String) -> String? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = loopbackAddress(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let request = Array("DESCRIBE rtsp://127.0.0.1:\(port)\(path) RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { return nil }
        var reply = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1024)
        while !reply.contains(0x0A) {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 2000) > 0 else { return nil }
            let count = read(fd, &chunk, chunk.count)
            guard count > 0 else { return nil }
            reply += chunk.prefix(count)
        }
        return String(decoding: reply.prefix { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self)
    }

    static func waitForListener(_ port: Int, timeout: TimeInterval = 20) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            if hasListener(port) { return true }
            usleep(50_000)
        }
        return false
    }
}

/// A child process serving something (ffmpeg, python3 -m http.server, rtsp-server-perl),
/// killed when the test drops it.
final class ServerProcess {
    let process = Process()

    init(_ executable: URL, _ arguments: [String], directory: URL? = nil) throws {
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// Ends it as a crash or a pulled cable would: SIGKILL, no goodbye.
    func kill() {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { kill() }
}

/// A TCP server in this process that misbehaves: `silent` accepts connections and never sends;
/// `garbage` answers every connection with random bytes and closes it.
final class HostileServer {
    enum Behaviour { case silent, garbage }

    let port: Int
    private let fd: Int32
    private var stopped = false
    private let lock = NSLock()

    init(_ behaviour: Behaviour) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Loopback.loopbackAddress(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 16) == 0 else {
            close(listener)
            throw XCTSkip("cannot listen on loopback here")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        fd = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        // Silent: the kernel completes each handshake from the backlog; nobody ever reads or writes.
        guard behaviour == .garbage else { return }
        let listening = fd
        Thread.detachNewThread { [self] in
            var generator = SystemRandomNumberGenerator()
            while true {
                let client = accept(listening, nil, nil)
                if client < 0 { return }
                if isStopped { close(client); return }
                var request = [UInt8](repeating: 0, count: 4096)
                var poller = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
                if poll(&poller, 1, 500) > 0 { _ = read(client, &request, request.count) }
                let bytes = (0..<200_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
                _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                close(client)
            }
        }
    }

    private var isStopped: Bool {
        lock.lock(); defer { lock.unlock() }
        return stopped
    }

    deinit {
        lock.lock()
        stopped = true
        lock.unlock()
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }
}
