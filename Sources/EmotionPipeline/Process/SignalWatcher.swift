import FoundationEssentials
import Glibc

/// Turns SIGINT and SIGTERM into a `StopRequest`, so an interrupted run ends like a finished
/// one: the frame in progress completes, the annotated video and the timeline are finalized
/// and renamed into place, the summary is printed, and the command exits 130 or 143
/// (`StopReason.exitStatus`).
///
/// The signals are blocked in the thread that creates the watcher, and so in every thread it
/// starts afterwards (the frame reader, OpenCV's workers, the window's), and a thread of the
/// watcher's own takes them with sigwait(). Nothing runs in signal-handler context and no
/// global variable carries the request: the watcher's thread holds the `StopRequest` it was
/// given. Create the watcher first thing, on the main thread, before any other thread starts
/// (libdispatch's workers block every signal already); the watcher lives until the process ends.
///
/// A second signal while the run is winding down (a stuck camera, an impatient user) ends the
/// process at once, by that signal's default action.
public final class SignalWatcher {
    public let signals: [Int32]

    public init(signals: [Int32] = [SIGINT, SIGTERM], stop: StopRequest) {
        self.signals = signals
        var set = sigset_t()
        sigemptyset(&set)
        for number in signals { sigaddset(&set, number) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        let watched = set
        startThread(named: "el-signals") { Self.watch(watched, stop: stop) }
    }

    private static func watch(_ signals: sigset_t, stop: StopRequest) {
        var set = signals
        var received = false
        while true {
            var number: Int32 = 0
            guard sigwait(&set, &number) == 0 else { continue }
            if !received {
                received = true
                stop.request(.signal(number))
                continue
            }
            // The second one: let the default action (termination by this signal) happen,
            // delivered to this thread, the only one where it is no longer blocked.
            signal(number, SIG_DFL)
            var one = sigset_t()
            sigemptyset(&one)
            sigaddset(&one, number)
            pthread_sigmask(SIG_UNBLOCK, &one, nil)
            pthread_kill(pthread_self(), number)
        }
    }
}
