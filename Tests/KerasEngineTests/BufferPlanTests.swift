import XCTest
@testable import KerasEngine

/// The arena plan: buffers alive at the same time never overlap, buffers that are not share
/// memory, aliases use their input's buffer, and the model's output outlives every step.
final class BufferPlanTests: XCTestCase {
    /// Checks the plan against the lifetimes computed here plainly.
    func assertValid(_ plan: BufferPlan, inputs: [[Int]], isAlias: [Bool], sizes: [Int], outputStep: Int,
                     file: StaticString = #filePath, line: UInt = #line) {
        let count = inputs.count
        for step in 1..<count where isAlias[step] {
            XCTAssertEqual(plan.owner[step], plan.owner[inputs[step][0]], "alias \(step) has its own buffer", file: file, line: line)
        }
        func lastUse(_ buffer: Int) -> Int {
            var last = buffer
            for step in 0..<count where inputs[step].contains(where: { plan.owner[$0] == buffer }) { last = max(last, step) }
            return plan.owner[outputStep] == buffer ? count : last
        }
        let buffers = (0..<count).filter { plan.owner[$0] == $0 }
        for a in buffers {
            XCTAssertLessThanOrEqual(plan.offset[a] + sizes[a], plan.floatsPerSample, file: file, line: line)
            for b in buffers where a < b && b <= lastUse(a) {
                let apart = plan.offset[a] + sizes[a] <= plan.offset[b] || plan.offset[b] + sizes[b] <= plan.offset[a]
                XCTAssertTrue(apart, "buffers \(a) and \(b) are alive together and overlap", file: file, line: line)
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
        }
    }
}
