import EmotionPipeline
import NIOConcurrencyHelpers

/// A `WorkerPool` whose queue is as long as the workers can clear in `maxWait` seconds
/// (`QueueBudget`): jobs start in the order they were admitted, and a job beyond the budget is
/// refused at once with the seconds until its turn, a turn the queue keeps for it (`RetryBook`).
///
/// Generic over the worker so that its order and its refusals can be tested with plain values
/// and a clock the test moves, without a model or a real time measurement.
public final class AdmissionQueue<Worker>: @unchecked Sendable {  // the pool and the box lock
    /// What became of a job.
    public enum Admission: Equatable, Sendable {
        case accepted
        /// Not queued: the budget is spent. `retryAfter`: whole seconds until its turn.
        case refused(retryAfter: Int)
    }

    /// The measured rate and the promised turns, changed together under one lock.
    public struct State: Sendable, Equatable {
        public var budget: QueueBudget
        public var book: RetryBook
    }

    public let workerCount: Int
    private let pool: WorkerPool<Worker>
    private let state: NIOLockedValueBox<State>
    private let clock: @Sendable () -> Double

    /// `floor` jobs may always wait; `clock` (seconds, monotonic) times each job on its worker
    /// and the turns of refused ones.
    public init(workers: [Worker], maxWait: Double, floor: Int, ceiling: Int = QueueBudget.defaultCeiling,
                name: String = "worker", clock: @escaping @Sendable () -> Double = { MonotonicClock.now() }) {
        let budget = QueueBudget(maxWait: maxWait, workers: workers.count, floor: floor, ceiling: ceiling)
        workerCount = workers.count
        // The pool's own bound is the ceiling: whatever the estimate says, memory stays bounded.
        pool = WorkerPool(workers: workers, queueCapacity: budget.ceiling, name: name)
        state = NIOLockedValueBox(State(budget: budget, book: RetryBook(limit: budget.ceiling)))
        self.clock = clock
    }

    /// Queues `job` behind every job admitted before it, or refuses it. A request whose turn
    /// has come (a refused client back at its Retry-After) may fill the queue; any other
    /// request only the room that the turns still to come leave. `keepsTurn`: whether a
    /// refusal keeps a turn, for clients that retry after Retry-After (HTTP, not a stream
    /// that moves on to its next frame).
    public func submit(keepsTurn: Bool = true, _ job: @escaping (Worker) -> Void) -> Admission {
        let state = state, clock = clock
        let now = clock()
        let limit = state.withLockedValue { state -> Int in
            state.book.expire(at: now)
            let capacity = state.budget.capacity
            return state.book.claim(at: now) ? capacity : max(capacity - state.book.ahead(at: now), 0)
        }
        let accepted = pool.submit({ worker in
            let start = clock()
            job(worker)
            let seconds = clock() - start
            state.withLockedValue { $0.budget.record(serviceSeconds: seconds) }
        }, limit: limit)
        if accepted { return .accepted }
        let queued = pool.load.queued
        return .refused(retryAfter: state.withLockedValue { state in
            let seconds = state.budget.retryAfter(queued: queued, kept: state.book.count)
            if keepsTurn { state.book.keep(at: now + Double(seconds)) }
            return seconds
        })
    }

    /// Jobs waiting, jobs being done, how many may wait now, and turns kept for refused ones.
    public var load: (queued: Int, busy: Int, capacity: Int, turns: Int) {
        let (queued, busy) = pool.load
        let (capacity, turns) = state.withLockedValue { ($0.budget.capacity, $0.book.count) }
        return (queued, busy, capacity, turns)
    }

    /// The measured service time and the kept turns, as they are now.
    public var snapshot: State { state.withLockedValue { $0 } }

    /// Lets the queued jobs finish and ends the worker threads.
    public func shutdown() { pool.shutdown() }
}
