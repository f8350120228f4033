import Foundation
import TestSupport
import XCTest
@testable import KerasEngine

/// The session API on the tiny model of Support/KerasFileWriter.swift (written here, so these
/// run without ../shared): batches of any size give the single-sample results, sessions on
/// several threads agree, and the model's summary adds up. Tolerance 1e-6: a sample's sums are
/// the same products, but a row handled by the GEMM's 6-row kernel adds them in a different
/// order from a lone row; sessions made alike give identical results.
final class InferenceSessionTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws { directory = try TemporaryDirectory(prefix: "session-tests") }
    override func tearDown() { directory = nil }

    func tinyModel() throws -> KerasModel {
        let path = directory.file("tiny.h5")
        try TinyModel.functional().write(to: path)
        return try KerasModel.load(path: path)
    }

    func inputs(_ count: Int, _ size: Int) -> [Float] {
        var random = SeededRandom(seed: 11)
        return (0..<(count * size)).map { _ in random.nextFloat() }
    }

    func testAnyBatchSizeGivesTheSingleSampleResults() throws {
        let model = try tinyModel()
        let samples = 13
        let input = inputs(samples, model.inputCount)
        let single = model.makeSession(maxBatch: 1)
        var expected: [Float] = []
        for index in 0..<samples {
            expected += single.predict(Array(input[(index * model.inputCount)..<((index + 1) * model.inputCount)]), batch: 1)
        }
        for maxBatch in [1, 4, 13, 64] {
            let session = model.makeSession(maxBatch: maxBatch)
            XCTAssertEqual(session.maxBatch, maxBatch)
            XCTAssertLessThanOrEqual(session.passBatch, maxBatch)
            let output = session.predict(input, batch: samples)
            XCTAssertEqual(output.count, expected.count)
            let diff = zip(output, expected).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThanOrEqual(diff, 1e-6, "maxBatch \(maxBatch): max abs diff \(diff)")
        }
    }

    /// Sessions taking turns on one arena give exactly what sessions with their own give, run
    /// in any order: nothing a run needs survives in the arena from an earlier one.
    func testSessionsSharingAnArenaGiveTheirOwnResults() throws {
        let model = try tinyModel()
        let arena = SessionArena(for: [model], maxBatch: 8)
        XCTAssertEqual(arena.floats, model.arenaFloats(maxBatch: 8))
        XCTAssertEqual(model.makeSession(maxBatch: 8).arenaBytes, arena.bytes)
        let sharedSmall = model.makeSession(maxBatch: 1, arena: arena), sharedLarge = model.makeSession(maxBatch: 8, arena: arena)
        let ownSmall = model.makeSession(maxBatch: 1), ownLarge = model.makeSession(maxBatch: 8)
        for round in 0..<3 {
            let one = inputs(1 + round, model.inputCount), many = inputs(8, model.inputCount).map { $0 * Float(round + 1) }
            let large = sharedLarge.predict(many, batch: 8), small = sharedSmall.predict(one, batch: 1 + round)
            XCTAssertEqual(small, ownSmall.predict(one, batch: 1 + round), "round \(round): the small session")
            XCTAssertEqual(large, ownLarge.predict(many, batch: 8), "round \(round): the large session")
        }
    }

    func testRunWritesOnlyItsOutputs() throws {
        let model = try tinyModel()
        let session = model.makeSession(maxBatch: 2)
        let input = inputs(3, model.inputCount)
        var output = [Float](repeating: -7, count: 3 * model.outputCount + 5)
        input.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { session.run(input, batch: 3, into: $0) }
        }
        XCTAssertEqual(Array(output.suffix(5)), [Float](repeating: -7, count: 5))
        for sample in 0..<3 {
            let probabilities = output[(sample * model.outputCount)..<((sample + 1) * model.outputCount)]
            XCTAssertEqual(probabilities.reduce(0, +), 1, accuracy: 1e-5)
        }
    }

    /// A sample written in place and read in place gives exactly what `predict` gives, pass
    /// after pass on the same session.
    func testRunFillingTheInputInPlaceGivesPredictsResult() throws {
        let model = try tinyModel()
        let session = model.makeSession(maxBatch: 4)
        for round in 0..<3 {
            let input = inputs(1, model.inputCount).map { $0 + Float(round) }
            let expected = model.makeSession(maxBatch: 1).predict(input, batch: 1)
            let got = session.run(fillingInput: { buffer in
                XCTAssertEqual(buffer.count, model.inputCount)
                _ = buffer.update(from: input)
            }, { Array($0) })
            XCTAssertEqual(got, expected, "round \(round)")
        }
    }

    func testSessionsOnSeveralThreadsAgree() throws {
        let model = try tinyModel()
        let input = inputs(8, model.inputCount)
        let expected = model.makeSession(maxBatch: 3).predict(input, batch: 8)
        var results = [[Float]](repeating: [], count: 4)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            let session = model.makeSession(maxBatch: 3)
            var result: [Float] = []
            for _ in 0..<20 { result = session.predict(input, batch: 8) }
            lock.lock()
            results[worker] = result
            lock.unlock()
        }
        for result in results { XCTAssertEqual(result, expected) }
    }

    func testSummaryOfTheTinyModel() throws {
        let model = try tinyModel()
        XCTAssertEqual(model.inputShape, [8, 8, 1])
        XCTAssertEqual(model.outputShape, [3])
        XCTAssertEqual(model.layers.map(\.className), ["InputLayer", "Conv2D", "MaxPooling2D", "Flatten", "Dense"])
        XCTAssertEqual(model.layers.map(\.outputShape), [[8, 8, 1], [6, 6, 2], [3, 3, 2], [18], [3]])
        XCTAssertEqual(model.layers.map(\.parameterCount), [0, 20, 0, 0, 57])
        XCTAssertEqual(model.parameterCount, 77)
        XCTAssertEqual(model.layers[4].inboundLayers, ["flatten"])
        // 2 x (conv 6*6*2*9 + dense 18*3) multiply-adds.
        XCTAssertEqual(model.flops, 2 * (6 * 6 * 2 * 9 + 18 * 3))
        XCTAssertEqual(model.warnings, [])
    }

    func testProfileListsTheLayersThatRun() throws {
        let model = try tinyModel()
        let session = model.makeSession(maxBatch: 1)
        let rows = session.profile(inputs(1, model.inputCount), batch: 1, repetitions: 3)
        // Flatten is free (it aliases its input), so it is not listed.
        XCTAssertEqual(rows.map(\.name), ["conv2d", "max_pooling2d", "dense"])
        XCTAssertTrue(rows.allSatisfy { $0.msPerSample >= 0 })
    }
}
