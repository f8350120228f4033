import Synchronization

/// Why a run ended before its source did, at a request from outside the pipeline.
public enum StopReason: Equatable, Sendable {
    /// A signal asked the process to stop (SIGINT from Ctrl-C, SIGTERM from `kill` or a
    /// service manager).
    case signal(Int32)
    /// Standard output's reader went away (`emotion-live clip --headless | head -1`): nobody is
    /// left to read the results.
    case outputClosed

    /// The exit status the command ends with: 128 + the signal's number, the shells'
    /// convention (130 for SIGINT, 143 for SIGTERM), so a script can tell an interrupted run
    /// from a finished one; 0 for a closed output, since the reader chose to stop reading.
    public var exitStatus: Int32 {
        switch self {
        case let .signal(number): return 128 + number
        case .outputClosed: return 0
        }
    }
}

/// A request to end a run between two frames. Any thread may make it (the signal watcher's,
/// a test's); the pipeline checks it before each frame, so the frame in progress is always
/// finished and handed to every sink. The first reason given is the one kept.
public final class StopRequest: Sendable {
    /// 0: no request; a positive number: that signal; -1: output closed. One atomic word, so
    /// the check between frames costs a load and never blocks.
    private let state = Atomic<Int32>(0)

    public init() {}

    /// Asks the run to stop; later requests do not replace the first one's reason.
    public func request(_ reason: StopReason) {
        let code: Int32
        switch reason {
        case let .signal(number): code = max(1, number)
        case .outputClosed: code = -1
        }
        _ = state.compareExchange(expected: 0, desired: code, ordering: .sequentiallyConsistent)
    }

    /// The reason given, or nil while nobody has asked.
    public var reason: StopReason? {
        switch state.load(ordering: .sequentiallyConsistent) {
        case 0: return nil
        case -1: return .outputClosed
        case let number: return .signal(number)
        }
    }

    public var isRequested: Bool { state.load(ordering: .sequentiallyConsistent) != 0 }
}
