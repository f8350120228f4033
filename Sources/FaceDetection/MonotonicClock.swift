import Glibc

/// Seconds on the monotonic clock (not the wall clock, which can jump): the one clock the
/// detectors' stage timings, the pipeline (playback, stream reconnects, `Condition`'s timed
/// waits, whose condition variables are made on CLOCK_MONOTONIC) and the server read. It lives
/// in the lowest target they share. (The engine below times its own benchmark with Dispatch's
/// uptime, which is CLOCK_MONOTONIC too.)
public enum MonotonicClock {
    public static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
