import Foundation
import Glibc

/// A WebSocket client over a plain socket (RFC 6455, client side): enough to drive
/// `/v1/stream` and Chromium's DevTools protocol from the tests without a client library.
final class WebSocketClient {
    struct Refused: Error, CustomStringConvertible {
        let status: Int
        let body: String
        var description: String { "upgrade refused: HTTP \(status) \(body)" }
    }

    private let socket: Int32
    private var buffer: [UInt8] = []
    private(set) var closed = false

    /// Connects and upgrades; throws `Refused` (with the reply's status and body) when the
    /// server answers anything but 101.
    init(port: Int, path: String, headers: [String: String] = [:], timeout: Double = 30) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Loopback.loopbackAddress(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { Glibc.close(socket); throw POSIXError(.ECONNREFUSED) }
        setTimeout(timeout)
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        request += "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        try send(Array((request + "\r\n").utf8))
        var head = ""
        while true {
            if let end = findHeaderEnd() {
                head = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeFirst(end + 4)
                break
            }
            guard try fill() else { throw POSIXError(.ECONNRESET) }
        }
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        guard status == 101 else {
            let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            while buffer.count < length, try fill() {}
            let body = String(decoding: buffer.prefix(length), as: UTF8.self)
            Glibc.close(socket)
            closed = true
            throw Refused(status: status, body: body)
        }
    }

    deinit { if !closed { Glibc.close(socket) } }

    func setTimeout(_ seconds: Double) {
        var time = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1e6))
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    }

    func sendBinary(_ payload: [UInt8]) throws { try sendFrame(opcode: 0x2, payload) }
    func sendText(_ text: String) throws { try sendFrame(opcode: 0x1, Array(text.utf8)) }

    /// A close frame, then the socket shut for writing: the polite goodbye.
    func sendClose() throws { try sendFrame(opcode: 0x8, [0x03, 0xE8]) }

    /// Drops the connection without a close frame, as a crashed client or a closed laptop would.
    func abort() {
        guard !closed else { return }
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(socket, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        Glibc.close(socket)
        closed = true
    }

    /// The next text message; nil when the server closes the connection (close frame or EOF).
    /// Pings are answered. Throws on a timeout (`EAGAIN`).
    func receiveText() throws -> String? {
        var message: [UInt8] = []
        while true {
            guard let (opcode, fin, payload) = try readFrame() else { return nil }
            switch opcode {
            case 0x8:
                try? sendFrame(opcode: 0x8, Array(payload.prefix(2)))  // the closing handshake
                return nil
            case 0x9: try sendFrame(opcode: 0xA, payload)
            case 0xA: continue
            default:
                message += payload
                if fin { return String(decoding: message, as: UTF8.self) }
            }
        }
    }

    private func readFrame() throws -> (UInt8, Bool, [UInt8])? {
        func need(_ count: Int) throws -> Bool {
            while buffer.count < count { guard try fill() else { return false } }
            return true
        }
        guard try need(2) else { return nil }
        let fin = buffer[0] & 0x80 != 0, opcode = buffer[0] & 0x0F
        var length = Int(buffer[1] & 0x7F), offset = 2
        if length == 126 {
            guard try need(4) else { return nil }
            length = Int(buffer[2]) << 8 | Int(buffer[3]); offset = 4
        } else if length == 127 {
            guard try need(10) else { return nil }
            length = (2..<10).reduce(0) { $0 << 8 | Int(buffer[$1]) }; offset = 10
        }
        guard try need(offset + length) else { return nil }
        let payload = Array(buffer[offset..<(offset + length)])
        buffer.removeFirst(offset + length)
        return (opcode, fin, payload)
    }

    private func sendFrame(opcode: UInt8, _ payload: [UInt8]) throws {
        var frame: [UInt8] = [0x80 | opcode]
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else if payload.count < 65536 {
            frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            frame.append(0x80 | 127)
            frame += (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xFF) }
        }
        let mask: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset & 3] }
        try send(frame)
    }

    private func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EPIPE) }
            sent += n
        }
    }

    /// Reads what has arrived; false at end of stream.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        if n < 0 { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        if n == 0 { return false }
        buffer += chunk[..<n]
        return true
    }

    private func findHeaderEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for index in 0...(buffer.count - 4) where buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 && buffer[index + 3] == 10 {
            return index
        }
        return nil
    }
}
