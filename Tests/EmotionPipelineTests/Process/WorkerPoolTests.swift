import EmotionPipeline
import Foundation
import XCTest

final class WorkerPoolTests: XCTestCase {
    /// Every accepted job runs once, on some worker; each worker's state is its own.
    func testEveryAcceptedJobRunsOnAWorker() {
        final class Worker { var done = 0 }
        let workers = [Worker(), Worker(), Worker()]
        let pool = WorkerPool(workers: workers, queueCapacity: 100)
        let group = DispatchGroup()
        var accepted = 0
        for _ in 0..<60 {
            group.enter()
            if pool.submit({ worker in worker.done += 1; group.leave() }) { accepted += 1 } else { group.leave() }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 30), .success)
        pool.shutdown()
        XCTAssertEqual(accepted, 60)
        XCTAssertEqual(workers.map(\.done).reduce(0, +), 60)
    }

    /// With every worker busy and the queue full, work is refused at once, not queued; a
    /// shut-down pool takes nothing.
    func testAFullQueueRefusesWork() {
        let release = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        let pool = WorkerPool(workers: [0, 1], queueCapacity: 2)
        for _ in 0..<2 { XCTAssertTrue(pool.submit { _ in started.signal(); release.wait() }) }
        for _ in 0..<2 { XCTAssertEqual(started.wait(timeout: .now() + 10), .success) }
        XCTAssertEqual(pool.load.busy, 2)
        XCTAssertTrue(pool.submit { _ in })
        XCTAssertTrue(pool.submit { _ in })
        XCTAssertFalse(pool.submit { _ in }, "two busy workers and two queued jobs: the third waits nowhere")
        XCTAssertEqual(pool.load.queued, 2)
        release.signal()
        release.signal()
        pool.shutdown()
        XCTAssertEqual(pool.load.queued, 0, "shutdown lets the queued jobs finish")
        XCTAssertFalse(pool.submit { _ in })
    }

    /// A submission's `limit` shortens the queue for it, never lengthens it past the capacity.
    func testALimitShortensTheQueue() {
        let release = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        let pool = WorkerPool(workers: [0], queueCapacity: 3)
        XCTAssertTrue(pool.submit { _ in started.signal(); release.wait() })
        XCTAssertEqual(started.wait(timeout: .now() + 10), .success)
        XCTAssertTrue(pool.submit({ _ in }, limit: 1))
        XCTAssertFalse(pool.submit({ _ in }, limit: 1), "one job waits: a limit of one is reached")
        XCTAssertTrue(pool.submit({ _ in }, limit: 100))
        XCTAssertTrue(pool.submit({ _ in }, limit: 100))
        XCTAssertFalse(pool.submit({ _ in }, limit: 100), "the capacity (3) bounds any limit")
        release.signal()
        pool.shutdown()
    }
}
