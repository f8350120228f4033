@testable import EmotionPipeline
import XCTest

/// The exponential average: frame-rate independent, per face, off at 0.
final class ProbabilitySmootherTests: XCTestCase {
    func testFirstFrameIsTakenAsItIsThenTheAverageMovesByOneMinusExp() {
        var smoother = ProbabilitySmoother(seconds: 0.5)
        XCTAssertEqual(smoother.smooth(id: 1, time: 0, probabilities: [1, 0]), [1, 0])
        let next = smoother.smooth(id: 1, time: 0.5, probabilities: [0, 1])
        let weight = Float(1 - exp(-1.0))   // dt = tau: 63% of the way
        XCTAssertEqual(next[0], 1 - weight, accuracy: 1e-6)
        XCTAssertEqual(next[1], weight, accuracy: 1e-6)
        XCTAssertEqual(next.reduce(0, +), 1, accuracy: 1e-6, "still a distribution")
    }

    func testTheSameDurationGivesTheSameResultAtAnyFrameRate() {
        var slow = ProbabilitySmoother(seconds: 0.5), fast = ProbabilitySmoother(seconds: 0.5)
        _ = slow.smooth(id: 1, time: 0, probabilities: [1, 0])
        _ = fast.smooth(id: 1, time: 0, probabilities: [1, 0])
        var a: [Float] = [], b: [Float] = []
        for i in 1...10 { a = slow.smooth(id: 1, time: Double(i) * 0.1, probabilities: [0, 1]) }
        for i in 1...40 { b = fast.smooth(id: 1, time: Double(i) * 0.025, probabilities: [0, 1]) }
        XCTAssertEqual(a[1], b[1], accuracy: 1e-5)
        XCTAssertEqual(a[1], Float(1 - exp(-2.0)), accuracy: 1e-5)
    }

    func testFacesAreSmoothedSeparatelyAndZeroDisables() {
        var smoother = ProbabilitySmoother(seconds: 1)
        _ = smoother.smooth(id: 1, time: 0, probabilities: [1, 0])
        XCTAssertEqual(smoother.smooth(id: 2, time: 0.1, probabilities: [0, 1]), [0, 1], "a new face starts fresh")
        smoother.keep(only: [2])
        XCTAssertEqual(smoother.smooth(id: 1, time: 0.2, probabilities: [0, 1]), [0, 1], "a forgotten face starts again")
        var off = ProbabilitySmoother(seconds: 0)
        _ = off.smooth(id: 1, time: 0, probabilities: [1, 0])
        XCTAssertEqual(off.smooth(id: 1, time: 0.1, probabilities: [0, 1]), [0, 1])
    }
}
