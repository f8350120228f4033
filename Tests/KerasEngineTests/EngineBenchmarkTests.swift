import Foundation
import TestSupport
import XCTest
import KerasEngine

/// The benchmark `bench` reports (its figures are checked by `make bench`, not here: these
/// machines are shared) and the seeded generator behind its inputs and the generated models.
final class EngineBenchmarkTests: XCTestCase {
    /// SplitMix64's published first outputs for seed 0 (Vigna's reference implementation):
    /// inputs stay the same across versions, so benchmark runs compare.
    func testSeededRandomIsSplitMix64() {
        var random = SeededRandom(seed: 0)
        XCTAssertEqual((0..<3).map { _ in random.next() },
                       [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
        var a = SeededRandom(seed: 42), b = SeededRandom(seed: 42)
        for _ in 0..<100 {
            let value = a.nextFloat()
            XCTAssertEqual(value, b.nextFloat())
            XCTAssert((0..<1).contains(value))
            XCTAssert((0..<7).contains(a.next(below: 7)))
            _ = b.next(below: 7)
        }
    }

    /// Split over threads or not, the benchmark runs the whole batch, at least five times, and
    /// its rate is the model's FLOPs over its time; the profile names every timed layer once.
    func testMeasureAndProfileCoverTheModel() throws {
        let directory = try TemporaryDirectory(prefix: "engine-benchmark")
        let path = directory.file("tiny.h5")
        try TinyModel.functional().write(to: path)
        let model = try KerasModel.load(path: path)
        for (threads, batch) in [(1, 1), (2, 5), (8, 3)] {
            let result = EngineBenchmark(model: model, threads: threads, batch: batch).measure(seconds: 0.05)
            XCTAssertGreaterThanOrEqual(result.runs, 5)
            XCTAssertGreaterThan(result.msPerFace, 0)
            let secondsPerRun = result.msPerFace * Double(batch) / 1000
            XCTAssertEqual(result.gflops, Double(model.flops) * Double(batch) / secondsPerRun / 1e9, accuracy: result.gflops * 1e-9)
        }
        let profile = EngineBenchmark(model: model, threads: 1, batch: 2).profile(seconds: 0.05)
        XCTAssertFalse(profile.isEmpty)
        XCTAssertEqual(Set(profile.map(\.name)).count, profile.count)
        XCTAssert(profile.allSatisfy { $0.msPerSample >= 0 })
    }
}
