/// How many pictures may wait for the server's workers, and how long a refused client should
/// stay away: the arithmetic of a queue sized by a wait budget (`--max-queue-wait`).
///
/// A fixed queue is wrong both ways: too short, and a burst that the workers would clear in a
/// few seconds is mostly refused, its clients retrying into a queue that others keep filling
/// (some starve); too long, and a request may wait minutes. Sizing the queue by time keeps
/// every admitted request within the budget, whatever a picture costs on this machine:
///
///     throughput = workers / service   (pictures per second, `service` the smoothed seconds
///                                       one worker spends on one picture)
///     capacity   = clamp(maxWait * throughput, floor, ceiling)
///     retryAfter = max(1, ceil((queued + kept + 1 - capacity) / throughput))
///
/// Retry-After is the refused request's turn: the seconds until the workers have made room for
/// it behind the pictures queued and the turns already promised to earlier refusals (`kept`,
/// `RetryBook`). It grows with the backlog; a client told to wait for the whole queue to
/// drain would come back to an idle server, and one told "1 s" whatever the backlog
/// retries into a queue that is still full.
///
/// Service time per picture, not completions per second, is what is smoothed: it is measured
/// whether the pool is busy or idle, so a quiet spell does not read as a slow server.
public struct QueueBudget: Sendable, Equatable {
    /// Weight of the newest picture in the smoothed service time: about the last 20 pictures
    /// count, so the estimate follows a change of load within a second or two at the rates seen
    /// here (about 12 per second) without jumping on one odd picture. The first pictures are
    /// averaged plainly (weight 1/n until it falls to this): a worker's first picture pays for
    /// page faults and planning (measured: 0.5 s, then 0.22 s), and an average that started
    /// from it alone would halve the queue for the first dozens of pictures of a burst.
    public static let smoothing = 0.1
    /// The most pictures that ever wait, however fast they are served: memory stays below
    /// `ceiling` request bodies (each at most `--max-body`), even when cheap pictures (or
    /// rejected ones) make the measured rate very high.
    public static let defaultCeiling = 1024
    /// The longest Retry-After, in seconds: a client is never told to go away for hours
    /// because of one slow estimate.
    public static let maxRetryAfter = 3600

    /// Seconds a newly queued picture may expect to wait.
    public let maxWait: Double
    /// Worker threads serving the queue in parallel.
    public let workers: Int
    /// Pictures that may always wait (`--queue`): a cold server, with nothing measured yet,
    /// queues this many.
    public let floor: Int
    /// Pictures that may wait at most, whatever the budget and the rate.
    public let ceiling: Int
    /// Smoothed seconds one worker spends on one picture; nil until a picture has been served.
    public private(set) var serviceSeconds: Double?
    /// Pictures timed so far.
    public private(set) var samples = 0

    public init(maxWait: Double, workers: Int, floor: Int, ceiling: Int = QueueBudget.defaultCeiling) {
        self.maxWait = max(maxWait, 0)
        self.workers = max(workers, 1)
        self.floor = max(floor, 0)
        self.ceiling = max(ceiling, self.floor)
    }

    /// Pictures served per second by the whole pool; nil before the first one.
    public var throughput: Double? {
        // A picture served faster than the clock can tell is counted as one microsecond, so the
        // rate stays finite (and the capacity meets the ceiling).
        serviceSeconds.map { Double(workers) / max($0, 1e-6) }
    }

    /// Pictures that may wait for a worker now.
    public var capacity: Int {
        guard let throughput else { return floor }
        let wanted = min(maxWait * throughput, Double(ceiling))  // clamped before Int(): no overflow
        return min(max(Int(wanted), floor), ceiling)
    }

    /// Seconds a request refused while `queued` pictures wait and `kept` turns are promised
    /// should stay away: until the workers have served those ahead of it beyond what the queue
    /// holds, rounded up (Retry-After is a whole number of seconds), at least 1. Before
    /// anything was measured, 1: the first pictures are being timed.
    public func retryAfter(queued: Int, kept: Int = 0) -> Int {
        guard let throughput else { return 1 }
        let ahead = max(queued + kept + 1 - capacity, 0)
        let seconds = (Double(ahead) / throughput).rounded(.up)
        return min(max(Int(min(seconds, Double(Self.maxRetryAfter))), 1), Self.maxRetryAfter)
    }

    /// One picture served in `seconds` by one worker (decoding, detection, classification).
    public mutating func record(serviceSeconds seconds: Double) {
        guard seconds.isFinite, seconds >= 0 else { return }
        samples += 1
        let weight = max(Self.smoothing, 1 / Double(samples))
        let previous = serviceSeconds ?? seconds
        serviceSeconds = previous + weight * (seconds - previous)
    }
}
