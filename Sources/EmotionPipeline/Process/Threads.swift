import FaceDetection
import Glibc

/// Threads and a condition variable on POSIX threads: Foundation's Thread and NSCondition are
/// outside FoundationEssentials, the only part of Foundation the binary links.

/// Starts `body` on a new thread named `name` (what `top -H` and debuggers show; at most 15
/// bytes are kept). The thread is detached: whoever must wait for it uses its own signal.
func startThread(named name: String, _ body: @escaping () -> Void) {
    final class Box {
        let name: String
        let body: () -> Void
        init(name: String, body: @escaping () -> Void) { self.name = name; self.body = body }
    }
    let box = Unmanaged.passRetained(Box(name: name, body: body)).toOpaque()
    var thread = pthread_t()
    let status = pthread_create(&thread, nil, { raw in
        let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
        nameThisThread(box.name)
        box.body()
        return nil
    }, box)
    // Only when the system is out of threads or memory; nothing can run the work then.
    precondition(status == 0, "cannot start thread \(name): error \(status)")
    pthread_detach(thread)
}

/// glibc's pthread_setname_np, looked up at run time: Swift's Glibc module leaves out the GNU
/// extensions. Names are cut to the 15 bytes Linux keeps.
private func nameThisThread(_ name: String) {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pthread_setname_np") else { return }
    typealias SetName = @convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32
    _ = unsafeBitCast(symbol, to: SetName.self)(pthread_self(), String(decoding: name.utf8.prefix(15), as: UTF8.self))
}

/// Sleeps the calling thread for `seconds`.
func sleepThread(seconds: Double) {
    guard seconds > 0 else { return }
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}

/// A mutex with one condition variable, as NSCondition: `lock`, then `wait` until the state it
/// guards changes, `broadcast` after changing it, `unlock`.
final class Condition {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        // Waits with a deadline measure it on the monotonic clock (CLOCK_MONOTONIC, the one
        // `MonotonicClock` reads): a change of the wall clock must not make a timeout fire early
        // or never.
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
    func wait() { pthread_cond_wait(condition, mutex) }
    func broadcast() { pthread_cond_broadcast(condition) }

    /// Waits at most until `deadline` (seconds on `MonotonicClock`, the clock the condition
    /// was made with); false when it passed.
    func wait(until deadline: Double) -> Bool {
        let whole = deadline.rounded(.down)
        var time = timespec(tv_sec: Int(whole), tv_nsec: Int((deadline - whole) * 1e9))
        return pthread_cond_timedwait(condition, mutex, &time) == 0
    }
}
