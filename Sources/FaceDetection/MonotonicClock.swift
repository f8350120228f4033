import Glibc

/// Seconds on the monotonic clock (not the wall clock, which can jump). It lives in the lowest
/// target that times anything (the detectors' stage timings for `bench --video`), so that the
/// pipeline and the server above read the same clock.
public enum MonotonicClock {
    public static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
