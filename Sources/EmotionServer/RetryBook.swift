/// The turns promised to refused requests: when each was told to come back (its Retry-After),
/// so that the queue keeps room for it until then.
///
/// Without it a refused client loses its place for good. Clients that have just been answered
/// send their next picture within milliseconds and take every slot the workers free, while
/// the refused client sleeps; when it comes back, the queue is full again. In a burst,
/// the refused clients starve (measured: the slowest 1% waited 53 s for a 5.5 s fair share).
/// With the book, a request that arrives while turns are still to come is admitted only into
/// the room those turns leave, and a request that arrives once a turn has come takes that turn.
/// HTTP cannot tell a retry from a new request, so the turn goes to whoever comes first after
/// its time, which is the refused client when it honours Retry-After.
public struct RetryBook: Sendable, Equatable {
    /// Seconds a turn is kept after its time: a client that honours Retry-After is back
    /// within a fraction of a second, and one that does not come back must not hold room for long.
    public static let grace = 2.0

    /// The most turns kept: refusals beyond it get a Retry-After but no kept room, so a flood
    /// of clients that never come back cannot grow the book without bound.
    public let limit: Int
    /// The turns' times, earliest first (seconds on the queue's clock).
    public private(set) var times: [Double] = []

    public init(limit: Int = QueueBudget.defaultCeiling) {
        self.limit = max(limit, 0)
    }

    /// Turns kept, come or still to come.
    public var count: Int { times.count }

    /// Turns still to come at `now`: the room they need is kept from other requests.
    public func ahead(at now: Double) -> Int {
        times.count - firstIndex(after: now)
    }

    /// Drops the turns that nobody took within `grace` seconds of their time.
    public mutating func expire(at now: Double) {
        let stale = firstIndex(after: now - Self.grace)
        if stale > 0 { times.removeFirst(stale) }
    }

    /// Takes the earliest turn whose time has come; false when none has.
    public mutating func claim(at now: Double) -> Bool {
        guard let first = times.first, first <= now else { return false }
        times.removeFirst()
        return true
    }

    /// Keeps a turn at `time`; false when the book is full.
    @discardableResult
    public mutating func keep(at time: Double) -> Bool {
        guard times.count < limit else { return false }
        times.insert(time, at: firstIndex(after: time))  // after equal times: first promised, first served
        return true
    }

    /// The index of the first turn later than `time` (binary search: the times are sorted).
    private func firstIndex(after time: Double) -> Int {
        var low = 0, high = times.count
        while low < high {
            let middle = (low + high) / 2
            if times[middle] <= time { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
