import KerasKernels
import FoundationEssentials
import Glibc

/// Runs a `KerasModel`. Owns every buffer it needs, planned once here, so `run` allocates
/// nothing. Not thread-safe: make one session per thread.
public final class InferenceSession {
    public let model: KerasModel
    /// The batch size the session was made for; `run` accepts any batch and splits it.
    public let maxBatch: Int
    /// Samples per internal pass (at most `maxBatch`), chosen so activations stay in cache.
    public let passBatch: Int

    /// All activations and each step's scratch (placed by a `BufferPlan`), in one allocation:
    /// the session's own, or one it takes turns with other sessions on (`SessionArena`).
    private let arena: UnsafeMutablePointer<Float>
    private let arenaCount: Int
    private let shared: SessionArena?
    /// Bytes of the arena this session uses (activations and scratch).
    public var arenaBytes: Int { arenaCount * MemoryLayout<Float>.size }
    /// Per step: its scratch (`BufferPlan.scratchOffset`).
    private let stepScratch: [UnsafeMutablePointer<Float>]
    /// Per step: its input pointers and its output pointer (aliases share their input's).
    private let stepInputs: [[UnsafePointer<Float>]]
    private let stepOutputs: [UnsafeMutablePointer<Float>]
    private let inputCount: Int
    private let outputCount: Int

    /// Largest arena a session allocates, in floats (2 GiB); passes shrink to fit.
    static let maxArenaFloats = 1 << 29
    /// Activation floats a pass aims to keep in cache (512 KiB).
    static let cacheFloats = 1 << 17

    /// Where a session of `model` for `maxBatch` samples puts each buffer; computed without
    /// allocating, so that an arena can be sized for several sessions before any exists.
    private struct Layout {
        let plan: BufferPlan
        let passBatch: Int
        let arenaCount: Int

        init(model: KerasModel, maxBatch: Int) {
            let steps = model.steps
            var perSample: [Int] = steps.map { $0.layer.isAlias ? 0 : (Shape.count($0.layer.outputShape) ?? 0) }
            perSample[0] = Shape.count(steps[0].layer.outputShape) ?? 0
            let inputs = steps.map(\.inputs), isAlias = steps.map(\.layer.isAlias)
            let inPlace = steps.map { !$0.layer.isAlias && $0.layer.runsInPlace }
            // The buffers alone set how many samples a pass takes; then each step's scratch,
            // for that many, is planned beside them.
            let buffers = BufferPlan(inputs: inputs, isAlias: isAlias, sizes: perSample, outputStep: model.outputStep,
                                     inPlace: inPlace)
            let floatsPerSample = max(buffers.floatsPerSample, 1)
            // Samples per pass: as many as keep the largest layer's input and output within about
            // half of a typical L2 cache. These models' weights are small and their activations
            // large, so bigger passes only spill to memory.
            let footprint = steps.indices.map { index in
                steps[index].inputs.reduce(perSample[index]) { $0 + (Shape.count(steps[$1].layer.outputShape) ?? 0) }
            }.max() ?? 1
            let cacheBatch = max(InferenceSession.cacheFloats / max(footprint, 1), 1)
            let batch = min(maxBatch, cacheBatch, max(InferenceSession.maxArenaFloats / 2 / floatsPerSample, 1))
            let scratch = steps.map { $0.layer.isAlias ? 0 : ($0.layer.scratchCount(batch: batch) + batch - 1) / batch }
            plan = BufferPlan(inputs: inputs, isAlias: isAlias, sizes: perSample, outputStep: model.outputStep,
                              inPlace: inPlace, scratch: scratch)
            passBatch = batch
            arenaCount = max(plan.floatsPerSample, 1) * batch + 16
        }
    }

    /// Floats of arena a session of `model` for `maxBatch` samples needs.
    static func arenaFloats(model: KerasModel, maxBatch: Int) -> Int {
        Layout(model: model, maxBatch: max(maxBatch, 1)).arenaCount
    }

    init(model: KerasModel, maxBatch requested: Int, arena sharedArena: SessionArena? = nil) {
        self.model = model
        let steps = model.steps
        maxBatch = max(requested, 1)
        let layout = Layout(model: model, maxBatch: maxBatch)
        passBatch = layout.passBatch
        inputCount = model.inputCount
        outputCount = model.outputCount
        arenaCount = layout.arenaCount
        shared = sharedArena
        if let sharedArena {
            let needed = layout.arenaCount
            precondition(sharedArena.floats >= needed, "the shared arena holds \(sharedArena.floats) floats, this session needs \(needed)")
            arena = sharedArena.base
        } else {
            arena = UnsafeMutablePointer<Float>.allocate(capacity: arenaCount)
            arena.initialize(repeating: 0, count: arenaCount)
        }
        let base = arena, batch = passBatch, plan = layout.plan
        let outputs = steps.indices.map { base + plan.offset[plan.owner[$0]] * batch }
        stepScratch = steps.indices.map { base + plan.scratchOffset[$0] * batch }
        stepOutputs = outputs
        stepInputs = steps.map { step in step.inputs.map { UnsafePointer(outputs[$0]) } }
    }

    deinit {
        guard shared == nil else { return }
        arena.deinitialize(count: arenaCount)
        arena.deallocate()
    }

    /// `input`: `batch` samples of `inputShape`, NHWC row-major, already scaled as the model
    /// expects. `output`: room for `batch * outputCount` floats.
    public func run(_ input: UnsafeBufferPointer<Float>, batch: Int, into output: UnsafeMutablePointer<Float>) {
        precondition(batch >= 0 && input.count >= batch * inputCount, "input holds \(input.count) floats, \(batch) samples need \(batch * inputCount)")
        guard batch > 0, let source = input.baseAddress else { return }
        let steps = model.steps
        var done = 0
        while done < batch {
            let count = min(passBatch, batch - done)
            stepOutputs[0].update(from: source + done * inputCount, count: count * inputCount)
            for index in 1..<steps.count {
                let layer = steps[index].layer
                if layer.isAlias { continue }
                layer.forward(stepInputs[index], output: stepOutputs[index], batch: count, scratch: stepScratch[index])
            }
            (output + done * outputCount).update(from: stepOutputs[model.outputStep], count: count * outputCount)
            done += count
        }
    }

    /// Time spent in each layer over `repetitions` runs of `batch` samples of `input`, in
    /// milliseconds per sample, thread CPU time. A run takes at most `passBatch` samples, as
    /// `run`'s passes do, so per sample is what compares across batch sizes. Layers folded into
    /// another or free (Dropout, Flatten) are omitted. For `bench` and tuning.
    public func profile(_ input: [Float], batch: Int, repetitions: Int) -> [(name: String, className: String, msPerSample: Double)] {
        let count = min(max(batch, 1), passBatch)
        precondition(input.count >= count * inputCount, "input holds \(input.count) floats, \(count) samples need \(count * inputCount)")
        let steps = model.steps
        var totals = [Double](repeating: 0, count: steps.count)
        input.withUnsafeBufferPointer { source in
            guard let source = source.baseAddress else { return }
            for _ in 0..<max(repetitions, 1) {
                stepOutputs[0].update(from: source, count: count * inputCount)
                for index in 1..<steps.count where !steps[index].layer.isAlias {
                    let start = InferenceSession.threadTime()
                    steps[index].layer.forward(stepInputs[index], output: stepOutputs[index], batch: count, scratch: stepScratch[index])
                    totals[index] += InferenceSession.threadTime() - start
                }
            }
        }
        return steps.indices.filter { $0 > 0 && !steps[$0].layer.isAlias }.map { index in
            (steps[index].name, steps[index].className, totals[index] * 1000 / Double(max(repetitions, 1) * count))
        }
    }

    private static func threadTime() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// One sample with no copy of its input or output outside the session: `fill` writes the
    /// input (`inputCount` floats, NHWC, scaled) straight into the session's own input buffer,
    /// then the pass runs and `body` reads the output (`outputCount` floats) where the pass left
    /// it. Both buffers are valid only inside the calls. For callers whose input is as large as
    /// a picture (a face detector's), which would otherwise keep a second copy of it.
    public func run<Result>(fillingInput fill: (UnsafeMutableBufferPointer<Float>) -> Void,
                            _ body: (UnsafeBufferPointer<Float>) -> Result) -> Result {
        let steps = model.steps
        fill(UnsafeMutableBufferPointer(start: stepOutputs[0], count: inputCount))
        for index in 1..<steps.count {
            let layer = steps[index].layer
            if layer.isAlias { continue }
            layer.forward(stepInputs[index], output: stepOutputs[index], batch: 1, scratch: stepScratch[index])
        }
        return body(UnsafeBufferPointer(start: stepOutputs[model.outputStep], count: outputCount))
    }

    /// `run` into a caller-owned buffer.
    public func run(_ input: UnsafeBufferPointer<Float>, batch: Int, into output: UnsafeMutableBufferPointer<Float>) {
        precondition(output.count >= batch * outputCount, "output holds \(output.count) floats, \(batch) samples need \(batch * outputCount)")
        guard let base = output.baseAddress else { return }
        run(input, batch: batch, into: base)
    }

    /// Convenience: allocates the result.
    public func predict(_ input: [Float], batch: Int) -> [Float] {
        var result = [Float](repeating: 0, count: batch * outputCount)
        input.withUnsafeBufferPointer { input in
            result.withUnsafeMutableBufferPointer { output in run(input, batch: batch, into: output) }
        }
        return result
    }
}
