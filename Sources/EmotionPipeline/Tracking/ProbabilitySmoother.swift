import FoundationEssentials
import Glibc

/// Averages each tracked face's probabilities over time, so labels stop flickering from frame
/// to frame: an exponential moving average whose time constant is `seconds`.
///
/// A new frame at `dt` seconds after the last one weighs `1 - exp(-dt / seconds)`, so the
/// average does not depend on the frame rate (variable frame rates and skipped frames
/// included); after `seconds` a change has reached 63% of its size. A face's first frame is
/// taken as it is. `seconds` 0 disables smoothing.
public struct ProbabilitySmoother: Sendable {
    public let seconds: Double
    private var state: [Int: (time: Double, probabilities: [Float])] = [:]

    public init(seconds: Double) {
        self.seconds = max(0, seconds)
    }

    /// The smoothed probabilities of face `id`, seen at `time` with `probabilities`.
    public mutating func smooth(id: Int, time: Double, probabilities: [Float]) -> [Float] {
        guard seconds > 0, let previous = state[id], previous.probabilities.count == probabilities.count else {
            state[id] = (time, probabilities)
            return probabilities
        }
        let dt = max(0, time - previous.time)
        let weight = Float(1 - exp(-dt / seconds))
        let smoothed = zip(previous.probabilities, probabilities).map { $0 + weight * ($1 - $0) }
        state[id] = (time, smoothed)
        return smoothed
    }

    /// Drops the state of faces that are no longer tracked.
    public mutating func keep(only ids: Set<Int>) {
        state = state.filter { ids.contains($0.key) }
    }
}
