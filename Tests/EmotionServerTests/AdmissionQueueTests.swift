@testable import EmotionServer
import Foundation
import XCTest

/// The server's queue with plain values for workers and a clock that only the jobs move: the
/// order and the refusals are exact, and nothing depends on how fast this machine is.
final class AdmissionQueueTests: XCTestCase {
    /// A value behind a lock, for the jobs (on the workers' threads) and the test to share.
    final class Locked<Value>: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Value
        init(_ value: Value) { self.value = value }
        func withLock<T>(_ body: (inout Value) -> T) -> T {
            lock.lock()
            defer { lock.unlock() }
            return body(&value)
        }
    }

    /// Seconds that pass only when a job says so.
    final class ManualClock: @unchecked Sendable {
        private let seconds = Locked(0.0)
        func now() -> Double { seconds.withLock { $0 } }
        func advance(_ by: Double) { seconds.withLock { $0 += by } }
    }

    /// A job that holds its worker until `release` is signalled, and says when it has started.
    func blocker(started: DispatchSemaphore, release: DispatchSemaphore) -> (Int) -> Void {
        { _ in started.signal(); release.wait() }
    }

    /// Jobs queued behind a busy worker run in the order they were submitted.
    func testJobsRunInArrivalOrder() {
        let queue = AdmissionQueue(workers: [0], maxWait: 10, floor: 64)
        let started = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        XCTAssertEqual(queue.submit(blocker(started: started, release: release)), .accepted)
        XCTAssertEqual(started.wait(timeout: .now() + 30), .success)
        let order = Locked<[Int]>([])
        for index in 0..<50 {
            XCTAssertEqual(queue.submit { _ in order.withLock { $0.append(index) } }, .accepted)
        }
        XCTAssertEqual(queue.load.queued, 50)
        release.signal()
        queue.shutdown()
        XCTAssertEqual(order.withLock { $0 }, Array(0..<50))
    }

    /// Nothing timed yet: `floor` jobs may wait, the next is refused and asked back in 1 s.
    func testAColdQueueHoldsTheFloor() {
        let queue = AdmissionQueue(workers: [0, 1], maxWait: 10, floor: 3)
        let started = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        for _ in 0..<2 { XCTAssertEqual(queue.submit(blocker(started: started, release: release)), .accepted) }
        for _ in 0..<2 { XCTAssertEqual(started.wait(timeout: .now() + 30), .success) }
        for _ in 0..<3 { XCTAssertEqual(queue.submit { _ in }, .accepted) }
        XCTAssertEqual(queue.submit { _ in }, .refused(retryAfter: 1))
        XCTAssertEqual(queue.load.queued, 3)
        release.signal()
        release.signal()
        queue.shutdown()
    }

    /// A job timed at 0.25 s on one worker: 4 a second, so a 10 s budget holds 40 waiting jobs.
    /// Beyond them, each refusal is told its turn: the first four have room within a second
    /// (1), the next four within two (2), the ninth within three.
    func testTheMeasuredRateSizesTheQueue() {
        let clock = ManualClock()
        let queue = AdmissionQueue(workers: [0], maxWait: 10, floor: 2, clock: { clock.now() })
        XCTAssertEqual(queue.submit { _ in clock.advance(0.25) }, .accepted)
        // The worker records a job's time before it takes the next one: once this one has
        // started, the first is measured.
        let started = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        XCTAssertEqual(queue.submit(blocker(started: started, release: release)), .accepted)
        XCTAssertEqual(started.wait(timeout: .now() + 30), .success)
        XCTAssertEqual(queue.snapshot.budget.serviceSeconds, 0.25)
        XCTAssertEqual(queue.load.capacity, 40)
        for _ in 0..<40 { XCTAssertEqual(queue.submit { _ in clock.advance(0.25) }, .accepted) }
        let refusals = (0..<9).map { _ in queue.submit { _ in } }
        XCTAssertEqual(refusals, [1, 1, 1, 1, 2, 2, 2, 2, 3].map { .refused(retryAfter: $0) })
        XCTAssertEqual(queue.load.turns, 9)
        release.signal()
        queue.shutdown()
        XCTAssertEqual(queue.load.queued, 0, "shutdown lets the queued jobs finish")
    }

    /// A refused client's turn is kept: a newcomer gets only the room the turn leaves, the
    /// client back at its time gets in, and a turn nobody takes is dropped after the grace.
    /// (One worker, each job timed at 0.25 s: 4 a second, 8 jobs within the 2 s budget.)
    func testARefusedClientsTurnIsKept() {
        let clock = ManualClock()
        let queue = AdmissionQueue(workers: [0], maxWait: 2, floor: 2, clock: { clock.now() })
        XCTAssertEqual(queue.submit { _ in clock.advance(0.25) }, .accepted)
        let started = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        XCTAssertEqual(queue.submit { _ in started.signal(); release.wait(); clock.advance(0.25) }, .accepted)
        XCTAssertEqual(started.wait(timeout: .now() + 30), .success)
        XCTAssertEqual(queue.load.capacity, 8)
        let gateStarted = DispatchSemaphore(value: 0), gate = DispatchSemaphore(value: 0)
        for _ in 0..<8 { XCTAssertEqual(queue.submit(blocker(started: gateStarted, release: gate)), .accepted) }
        XCTAssertEqual(queue.submit { _ in }, .refused(retryAfter: 1), "the client: its turn at 1.25 s")

        // The worker ends its job (0.5 s) and takes a queued one: one place frees, the client's.
        release.signal()
        XCTAssertEqual(gateStarted.wait(timeout: .now() + 30), .success)
        XCTAssertEqual(queue.load.queued, 7)
        XCTAssertEqual(queue.load.capacity, 8)
        XCTAssertEqual(queue.submit { _ in }, .refused(retryAfter: 1), "a newcomer: the free place is kept; its turn at 1.5 s")

        clock.advance(1)  // 1.5 s: both turns have come
        XCTAssertEqual(queue.submit { _ in }, .accepted, "the first back takes the kept place")
        XCTAssertEqual(queue.submit { _ in }, .refused(retryAfter: 1), "the second finds the queue full: a new turn")
        XCTAssertEqual(queue.load.turns, 1)
        XCTAssertEqual(queue.submit { _ in }, .refused(retryAfter: 1), "a turn still to come keeps its room")
        XCTAssertEqual(queue.load.turns, 2)

        clock.advance(3.05)  // 4.55 s: both turns (at 2.5 s) are over 2 s late
        XCTAssertEqual(queue.submit { _ in }, .refused(retryAfter: 1))
        XCTAssertEqual(queue.load.turns, 1, "the late turns are dropped; this refusal keeps its own")
        for _ in 0..<8 { gate.signal() }
        queue.shutdown()
    }
}
