/// Runs a `KerasModel`. Owns every buffer it needs, planned once here, so `run` allocates
/// nothing. Not thread-safe: make one session per thread.
public final class InferenceSession {
    public let model: KerasModel
    /// Samples per internal pass; `run` accepts any batch and splits it.
    public let maxBatch: Int

    /// All activations and the scratch area, in one allocation.
    private let arena: UnsafeMutablePointer<Float>
    private let arenaCount: Int
    private let scratch: UnsafeMutablePointer<Float>
    /// Per step: its input pointers and its output pointer (aliases share their input's).
    private let stepInputs: [[UnsafePointer<Float>]]
    private let stepOutputs: [UnsafeMutablePointer<Float>]
    private let inputCount: Int
    private let outputCount: Int

    /// Largest arena a session allocates, in floats (2 GiB); `maxBatch` shrinks to fit.
    static let maxArenaFloats = 1 << 29

    init(model: KerasModel, maxBatch requested: Int) {
        self.model = model
        let steps = model.steps
        var perSample: [Int] = steps.map { $0.layer.isAlias ? 0 : (Shape.count($0.layer.outputShape) ?? 0) }
        perSample[0] = Shape.count(steps[0].layer.outputShape) ?? 0
        let floatsPerSample = max(perSample.reduce(0, +), 1)
        let batch = min(max(requested, 1), max(InferenceSession.maxArenaFloats / 2 / floatsPerSample, 1))
        let scratchCount = steps.map { $0.layer.scratchCount(batch: batch) }.max() ?? 0
        maxBatch = batch
        inputCount = model.inputCount
        outputCount = model.outputCount

        arenaCount = floatsPerSample * batch + scratchCount + 16
        arena = UnsafeMutablePointer<Float>.allocate(capacity: arenaCount)
        arena.initialize(repeating: 0, count: arenaCount)
        var offset = 0
        var outputs: [UnsafeMutablePointer<Float>] = []
        for (index, step) in steps.enumerated() {
            if index > 0 && step.layer.isAlias {
                outputs.append(outputs[step.inputs[0]])
            } else {
                outputs.append(arena + offset)
                offset += perSample[index] * batch
            }
        }
        scratch = arena + offset
        stepOutputs = outputs
        stepInputs = steps.map { step in step.inputs.map { UnsafePointer(outputs[$0]) } }
    }

    deinit {
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
            let count = min(maxBatch, batch - done)
            stepOutputs[0].update(from: source + done * inputCount, count: count * inputCount)
            for index in 1..<steps.count {
                let layer = steps[index].layer
                if layer.isAlias { continue }
                layer.forward(stepInputs[index], output: stepOutputs[index], batch: count, scratch: scratch)
            }
            (output + done * outputCount).update(from: stepOutputs[model.outputStep], count: count * outputCount)
            done += count
        }
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
