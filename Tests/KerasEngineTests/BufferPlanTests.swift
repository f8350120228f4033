import XCTest
@testable import KerasEngine

/// The arena plan: buffers alive at the same time never overlap, buffers that are not share
/// memory, aliases use their input's buffer, and the model's output outlives every step.
final class BufferPlanTests: XCTestCase {
    /// Checks the plan against the lifetimes computed here plainly.
    func assertValid(_ plan: BufferPlan, inputs: [[Int]], isAlias: [Bool], sizes: [Int], outputStep: Int,
                     inPlace: [Bool]? = nil, scratch: [Int]? = nil, file: StaticString = #filePath, line: UInt = #line) {
        let count = inputs.count
        for step in 1..<count where isAlias[step] {
            XCTAssertEqual(plan.owner[step], plan.owner[inputs[step][0]], "alias \(step) has its own buffer", file: file, line: line)
        }
        func lastUse(_ buffer: Int) -> Int {
            var last = buffer
            for step in 0..<count where inputs[step].contains(where: { plan.owner[$0] == buffer }) { last = max(last, step) }
            return plan.owner[outputStep] == buffer ? count : last
        }
        // A step run in place may: its input's buffer is read by no step after it, and holds it.
        for step in 1..<count where !isAlias[step] && plan.owner[step] != step {
            XCTAssertTrue(inPlace?[step] ?? false, "step \(step) shares a buffer without running in place", file: file, line: line)
            XCTAssertEqual(inputs[step].count, 1, file: file, line: line)
            let source = inputs[step][0]
            XCTAssertEqual(plan.owner[step], plan.owner[source], file: file, line: line)
            // What the buffer held before this step (outputs of steps before it) is read by no
            // step after it.
            XCTAssertFalse(inputs[(step + 1)...].contains { $0.contains { $0 < step && plan.owner[$0] == plan.owner[step] } },
                           "step \(step) overwrites a buffer read later", file: file, line: line)
            XCTAssertLessThanOrEqual(sizes[step], sizes[plan.owner[step]], file: file, line: line)
        }
        // Buffers as intervals of steps, scratch as the one step that uses it.
        var items = (0..<count).filter { plan.owner[$0] == $0 }
            .map { (name: "buffer \($0)", offset: plan.offset[$0], size: sizes[$0], first: $0, last: lastUse($0)) }
        for (step, size) in (scratch ?? []).enumerated() where size > 0 {
            items.append((name: "scratch of \(step)", offset: plan.scratchOffset[step], size: size, first: step, last: step))
        }
        for (i, a) in items.enumerated() {
            XCTAssertLessThanOrEqual(a.offset + a.size, plan.floatsPerSample, a.name, file: file, line: line)
            for b in items[(i + 1)...] where a.first <= b.last && b.first <= a.last {
                let apart = a.offset + a.size <= b.offset || b.offset + b.size <= a.offset
                XCTAssertTrue(apart, "\(a.name) and \(b.name) are alive together and overlap", file: file, line: line)
            }
        }
    }

    func testAChainReusesTwoBuffers() {
        // input -> a -> b -> c -> d, each 100 floats: two buffers suffice.
        let inputs = [[], [0], [1], [2], [3]]
        let isAlias = [false, false, false, false, false]
        let sizes = [100, 100, 100, 100, 100]
        let plan = BufferPlan(inputs: inputs, isAlias: isAlias, sizes: sizes, outputStep: 4)
        assertValid(plan, inputs: inputs, isAlias: isAlias, sizes: sizes, outputStep: 4)
        XCTAssertEqual(plan.floatsPerSample, 200)
    }

    func testAResidualBranchStaysAliveUntilItsAdd() {
        // input -> conv1 -> (conv2 -> conv3, shortcut) -> add(conv3, shortcut) -> dropout (alias) -> dense
        let inputs = [[], [0], [1], [2], [1], [3, 4], [5], [6]]
        let isAlias = [false, false, false, false, false, false, true, false]
        let sizes = [48, 64, 64, 64, 64, 64, 0, 7]
        let plan = BufferPlan(inputs: inputs, isAlias: isAlias, sizes: sizes, outputStep: 7)
        assertValid(plan, inputs: inputs, isAlias: isAlias, sizes: sizes, outputStep: 7)
        XCTAssertLessThan(plan.floatsPerSample, sizes.reduce(0, +))
    }

    func testTheOutputIsNeverOverwritten() {
        // The output is an early step's buffer that later steps could otherwise reuse.
        let inputs = [[], [0], [1], [2]]
        let isAlias = [false, false, false, false]
        let sizes = [10, 10, 10, 10]
        let plan = BufferPlan(inputs: inputs, isAlias: isAlias, sizes: sizes, outputStep: 1)
        assertValid(plan, inputs: inputs, isAlias: isAlias, sizes: sizes, outputStep: 1)
        XCTAssertNotEqual(plan.offset[3], plan.offset[1])
    }

    /// A depthwise step that copies its input to scratch first runs in place, its scratch where
    /// the steps before and after it keep nothing: two maps and one padded copy, not three maps
    /// and a copy after them all.
    func testAStepRunsInPlaceWithItsScratchBesideIt() {
        // input (50) -> pointwise (100) -> depthwise (100, scratch 110) -> pointwise (100) -> pool (25)
        let inputs = [[], [0], [1], [2], [3]]
        let isAlias = [false, false, false, false, false]
        let sizes = [50, 100, 100, 100, 25]
        let inPlace = [false, false, true, false, false]
        let scratch = [0, 0, 110, 0, 0]
        let plan = BufferPlan(inputs: inputs, isAlias: isAlias, sizes: sizes, outputStep: 4, inPlace: inPlace, scratch: scratch)
        assertValid(plan, inputs: inputs, isAlias: isAlias, sizes: sizes, outputStep: 4, inPlace: inPlace, scratch: scratch)
        XCTAssertEqual(plan.owner[2], 1)
        XCTAssertEqual(plan.floatsPerSample, 210)
        let before = BufferPlan(inputs: inputs, isAlias: isAlias, sizes: sizes, outputStep: 4)
        XCTAssertEqual(before.floatsPerSample + 110, 310, "the layout before: buffers, then the largest scratch")
    }

    /// A step does not run in place over a buffer a later step still reads, nor over a smaller one.
    func testNotInPlaceOverABufferStillNeeded() {
        // input -> a -> depthwise(a) ; add(depthwise, a): a is read after the depthwise.
        let inputs = [[], [0], [1], [2, 1]]
        let isAlias = [false, false, false, false]
        let sizes = [10, 10, 10, 10]
        let inPlace = [false, false, true, false]
        let plan = BufferPlan(inputs: inputs, isAlias: isAlias, sizes: sizes, outputStep: 3, inPlace: inPlace)
        assertValid(plan, inputs: inputs, isAlias: isAlias, sizes: sizes, outputStep: 3, inPlace: inPlace)
        XCTAssertEqual(plan.owner[2], 2)
        let larger = BufferPlan(inputs: [[], [0], [1]], isAlias: [false, false, false], sizes: [10, 10, 20], outputStep: 2,
                                inPlace: [false, false, true])
        XCTAssertEqual(larger.owner[2], 2, "an output larger than its input's buffer gets its own")
        // The model's output is never written over.
        let output = BufferPlan(inputs: [[], [0], [1]], isAlias: [false, false, false], sizes: [10, 10, 10], outputStep: 1,
                                inPlace: [false, false, true])
        XCTAssertEqual(output.owner[2], 2)
    }

    func testRandomGraphs() {
        var random = SeededRandom(seed: 11)
        for _ in 0..<200 {
            let count = 2 + Int(random.nextFloat() * 30)
            var inputs: [[Int]] = [[]]
            var isAlias = [false]
            var sizes = [1 + Int(random.nextFloat() * 50)]
            for step in 1..<count {
                let fanIn = 1 + Int(random.nextFloat() * 2.99)
                inputs.append((0..<fanIn).map { _ in min(Int(random.nextFloat() * Float(step)), step - 1) })
                isAlias.append(fanIn == 1 && random.nextFloat() < 0.2)
                sizes.append(isAlias[step] ? 0 : 1 + Int(random.nextFloat() * 50))
            }
            let outputStep = count - 1 - Int(random.nextFloat() * Float(min(count - 1, 3)))
            let plan = BufferPlan(inputs: inputs, isAlias: isAlias, sizes: sizes, outputStep: outputStep)
            assertValid(plan, inputs: inputs, isAlias: isAlias, sizes: sizes, outputStep: outputStep)
            // The same graph with some steps in place and some scratch.
            let inPlace = isAlias.indices.map { $0 > 0 && !isAlias[$0] && random.nextFloat() < 0.4 }
            let scratch = isAlias.indices.map { isAlias[$0] || random.nextFloat() < 0.5 ? 0 : Int(random.nextFloat() * 60) }
            let planned = BufferPlan(inputs: inputs, isAlias: isAlias, sizes: sizes, outputStep: outputStep,
                                     inPlace: inPlace, scratch: scratch)
            assertValid(planned, inputs: inputs, isAlias: isAlias, sizes: sizes, outputStep: outputStep,
                        inPlace: inPlace, scratch: scratch)
            XCTAssertLessThanOrEqual(planned.floatsPerSample, plan.floatsPerSample + (scratch.max() ?? 0))
        }
    }
}
