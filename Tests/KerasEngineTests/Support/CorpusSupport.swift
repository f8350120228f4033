// What the hostile-file corpus tests share (MalformedModelTests and its child processes).
import Foundation

/// Prints a corpus line and flushes it at once, so the last case before a crash is on record.
func report(_ line: String) {
    print(line)
    fflush(stdout)
}

/// The process's peak resident memory so far (VmHWM), in bytes; 0 where /proc is unavailable.
func peakResidentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else { return 0 }
    return kib * 1024
}

/// A value shared with a watchdog thread.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); defer { lock.unlock() }; stored = newValue }
    }
}
