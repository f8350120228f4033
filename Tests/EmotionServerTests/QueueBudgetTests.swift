@testable import EmotionServer
import XCTest

/// The arithmetic of the wait-budgeted queue: exact values from hand-chosen service times, no
/// clock involved.
final class QueueBudgetTests: XCTestCase {
    /// Before any picture is timed the queue is the floor (`--queue`), and a refused client is
    /// asked back in 1 s, while the first pictures are being timed.
    func testAColdServerQueuesTheFloor() {
        let budget = QueueBudget(maxWait: 10, workers: 2, floor: 16)
        XCTAssertNil(budget.throughput)
        XCTAssertEqual(budget.capacity, 16)
        XCTAssertEqual(budget.retryAfter(queued: 16), 1)
    }

    /// 2 workers at 0.17 s a picture clear 11.76 pictures a second: a 10 s budget queues 117
    /// of them. A request refused with the queue full and no turn promised has room after the
    /// next picture (1 s, the least Retry-After); behind 23 promised turns, after 24 pictures
    /// (2.04 s: 3); behind 116, after 117 (9.95 s: 10).
    func testCapacityIsTheBudgetTimesTheThroughput() throws {
        var budget = QueueBudget(maxWait: 10, workers: 2, floor: 16)
        budget.record(serviceSeconds: 0.17)
        XCTAssertEqual(try XCTUnwrap(budget.throughput), 2 / 0.17, accuracy: 1e-12)
        XCTAssertEqual(budget.capacity, 117)
        XCTAssertEqual(budget.retryAfter(queued: 117), 1)
        XCTAssertEqual(budget.retryAfter(queued: 117, kept: 23), 3)
        XCTAssertEqual(budget.retryAfter(queued: 117, kept: 116), 10)
        XCTAssertEqual(budget.retryAfter(queued: 100, kept: 20), 1, "4 ahead beyond the queue: 0.34 s, rounded up")
        XCTAssertEqual(budget.retryAfter(queued: 0), 1, "never less than 1 s")
    }

    /// A slow server never queues fewer than the floor; a very fast one never more than the
    /// ceiling (memory), and a picture timed at zero seconds does not divide by zero.
    func testTheFloorAndTheCeilingBound() {
        var slow = QueueBudget(maxWait: 10, workers: 1, floor: 16)
        slow.record(serviceSeconds: 2)  // 0.5 a second: 5 within the budget
        XCTAssertEqual(slow.capacity, 16)
        XCTAssertEqual(slow.retryAfter(queued: 16, kept: 15), 32, "16 pictures ahead at 2 s each, on one worker")

        var fast = QueueBudget(maxWait: 10, workers: 2, floor: 16, ceiling: 100)
        fast.record(serviceSeconds: 0.001)  // 2000 a second
        XCTAssertEqual(fast.capacity, 100)
        fast.record(serviceSeconds: 0)
        XCTAssertEqual(fast.capacity, 100)
        XCTAssertEqual(QueueBudget(maxWait: 10, workers: 2, floor: 50, ceiling: 20).ceiling, 50,
                       "the ceiling is never below the floor")

        var none = QueueBudget(maxWait: 0, workers: 2, floor: 4)
        none.record(serviceSeconds: 0.1)
        XCTAssertEqual(none.capacity, 4, "no budget: the floor alone")
    }

    /// The first ten pictures are averaged plainly, so a slow first one weighs no more than
    /// any other; after them each picture moves the average by `smoothing` (0.1) of the way to
    /// its own time. Nonsense times are ignored.
    func testServiceTimeIsSmoothed() throws {
        var budget = QueueBudget(maxWait: 10, workers: 2, floor: 0)
        budget.record(serviceSeconds: 0.5)  // a cold first picture
        for _ in 0..<9 { budget.record(serviceSeconds: 0.2) }
        XCTAssertEqual(try XCTUnwrap(budget.serviceSeconds), 0.23, accuracy: 1e-12, "(0.5 + 9 x 0.2) / 10")
        budget.record(serviceSeconds: .nan)
        budget.record(serviceSeconds: -1)
        budget.record(serviceSeconds: .infinity)
        XCTAssertEqual(budget.samples, 10)
        budget.record(serviceSeconds: 1.23)
        XCTAssertEqual(try XCTUnwrap(budget.serviceSeconds), 0.33, accuracy: 1e-12, "0.23 + 0.1 x (1.23 - 0.23)")
        XCTAssertEqual(budget.capacity, 60, "10 s x 2 / 0.33 = 60.6")
    }

    /// A wait too long to state is capped at an hour.
    func testRetryAfterIsCapped() {
        var budget = QueueBudget(maxWait: 3600, workers: 1, floor: 10_000)
        budget.record(serviceSeconds: 60)
        XCTAssertEqual(budget.retryAfter(queued: 10_000, kept: 1000), QueueBudget.maxRetryAfter)
    }

    /// The 503 carries the same number in its header and its message.
    func testBusyErrorCarriesTheWait() {
        let error = APIError.busy(retryAfter: 7)
        XCTAssertEqual(error.status, 503)
        XCTAssertEqual(error.retryAfter, 7)
        XCTAssertTrue(error.message.contains("retry in 7 s"), error.message)
    }
}
