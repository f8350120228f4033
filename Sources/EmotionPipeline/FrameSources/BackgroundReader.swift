import Dispatch
import FaceDetection

/// A frame as a source's reader delivers it: the picture and its time in the source.
typealias DecodedFrame = (image: Image, milliseconds: Double)

/// The reader's `next(timeout:)` waited `timeout` seconds for nothing.
struct ReaderTimeout: Error {}

/// Produces items on its own thread so that producing them (decoding a source's frames,
/// detecting the faces of the next frame) overlaps the work of whoever takes them.
///
/// Two policies: `.queue(n)` keeps up to n items in order (files: nothing is skipped), and
/// `.latestOnly` keeps just the newest, dropping older ones (live cameras: the pipeline
/// always gets the freshest picture, never a backlog).
final class BackgroundReader<Item> {
    enum Policy: Equatable {
        case latestOnly
        case queue(capacity: Int)
    }

    private let policy: Policy
    private let read: () throws -> Item?
    private let condition = Condition()
    private var buffer: [Item] = []
    private var finished = false
    private var stopped = false
    private var failure: Error?
    /// Frames replaced before anyone took them (latest-only policy).
    private(set) var droppedCount = 0
    /// Signalled when the thread has returned from its last `read`.
    private let exited = DispatchSemaphore(value: 0)
    private var started = false

    init(policy: Policy, read: @escaping () throws -> Item?) {
        self.policy = policy
        self.read = read
    }

    func start() {
        started = true
        startThread(named: "el-reader") { [self] in
            self.run()
            self.exited.signal()
        }
    }

    private func run() {
        while true {
            condition.lock()
            if case let .queue(capacity) = policy {
                while buffer.count >= capacity && !stopped { condition.wait() }
            }
            let stop = stopped
            condition.unlock()
            if stop { break }

            let item: Item?
            var error: Error?
            do { item = try read() } catch let e { item = nil; error = e }

            condition.lock()
            if let item {
                if policy == .latestOnly {
                    droppedCount += buffer.count
                    buffer = [item]
                } else {
                    buffer.append(item)
                }
            } else {
                failure = error
                finished = true
            }
            let done = finished
            condition.broadcast()
            condition.unlock()
            if done { break }
        }
    }

    /// The next frame, waiting for it; nil at the end. Throws the reader's error once the frames
    /// read before it have been delivered, or `OpenCVError` `.timedOut` when nothing arrives
    /// within `timeout` seconds.
    func next(timeout: Double? = nil) throws -> Item? {
        condition.lock()
        defer { condition.unlock() }
        let deadline = timeout.map { MonotonicClock.now() + $0 }
        while buffer.isEmpty && !finished {
            if let deadline {
                if !condition.wait(until: deadline) && buffer.isEmpty && !finished {
                    throw ReaderTimeout()
                }
            } else {
                condition.wait()
            }
        }
        if !buffer.isEmpty {
            let item = buffer.removeFirst()
            condition.broadcast()
            return item
        }
        if let failure { throw failure }
        return nil
    }

    /// Asks the thread to stop after its current read; frames not taken are dropped.
    func stop() {
        condition.lock()
        stopped = true
        buffer.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// `stop`, then waits until the thread has returned from its current read: after this,
    /// nothing the reader's closure uses is touched from its thread again.
    func stopAndWait() {
        stop()
        if started {
            exited.wait()
            exited.signal()  // a second call returns at once
        }
    }
}
