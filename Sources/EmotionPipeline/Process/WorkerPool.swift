/// A fixed set of workers, each on a thread of its own with state of its own (a
/// `FrameProcessor`: a detector and an inference session), taking jobs from one bounded queue.
///
/// A full queue refuses new work at once (`submit` returns false) instead of growing: a server
/// answers 503 then, and its memory stays bounded by `workers + queueCapacity` jobs in flight.
public final class WorkerPool<Worker> {
    public typealias Job = (Worker) -> Void

    public let workerCount: Int
    public let queueCapacity: Int
    private let condition = Condition()
    private var jobs: [Job] = []
    private var head = 0
    private var busy = 0
    private var running = 0
    private var stopping = false

    /// Starts one thread per worker, named `name-1`, `name-2`...
    public init(workers: [Worker], queueCapacity: Int, name: String = "worker") {
        workerCount = workers.count
        self.queueCapacity = max(queueCapacity, 0)
        running = workers.count
        for (index, worker) in workers.enumerated() {
            startThread(named: "\(name)-\(index + 1)") { [self] in serve(worker) }
        }
    }

    /// Queues `job` for the next free worker; false when the queue is full or the pool is
    /// shutting down (the job will not run). Jobs start in the order they were queued.
    ///
    /// `limit` lowers the queue's length for this job (never above `queueCapacity`, the bound
    /// on memory): a server that sizes its queue by measured throughput passes its current size.
    public func submit(_ job: @escaping Job, limit: Int? = nil) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let capacity = min(max(limit ?? queueCapacity, 0), queueCapacity)
        guard !stopping, jobs.count - head < capacity + max(workerCount - busy, 0) else { return false }
        jobs.append(job)
        condition.broadcast()
        return true
    }

    /// Jobs waiting for a worker and jobs being done.
    public var load: (queued: Int, busy: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (jobs.count - head, busy)
    }

    /// Lets the queued jobs finish, then ends the threads; returns once they have ended.
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        condition.unlock()
    }

    private func serve(_ worker: Worker) {
        condition.lock()
        while true {
            while head == jobs.count && !stopping { condition.wait() }
            if head == jobs.count {
                running -= 1
                condition.broadcast()
                condition.unlock()
                return
            }
            let job = jobs[head]
            head += 1
            if head > 64 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            busy += 1
            condition.unlock()
            job(worker)
            condition.lock()
            busy -= 1
        }
    }
}
