import Dispatch
import Glibc

/// Times `batch` faces split over `threads` sessions; the median run gives the figure.
public struct EngineBenchmark {
    public let model: KerasModel
    public let threads: Int
    public let batch: Int

    public init(model: KerasModel, threads: Int, batch: Int) {
        self.model = model
        self.threads = max(threads, 1)
        self.batch = max(batch, 1)
    }

    /// The median run: milliseconds per face, the arithmetic rate it implies, and how many
    /// runs the median is of.
    public struct Result: Sendable {
        public let msPerFace: Double
        public let gflops: Double
        public let runs: Int
    }

    /// Warms up for a second, then runs for `seconds` (and at least five runs) on seeded
    /// random input: the same input on every call, so runs and models compare.
    public func measure(seconds: Double) -> Result {
        let workers = min(threads, batch)
        let shares = (0..<workers).map { batch / workers + ($0 < batch % workers ? 1 : 0) }
        let sampleSize = model.inputShape.reduce(1, *)
        let sessions = shares.map { model.makeSession(maxBatch: max($0, 1)) }
        var generator = SeededRandom(seed: 42)
        let inputs = shares.map { share in (0..<(share * sampleSize)).map { _ in Float(generator.next() % 256) / 255 } }
        var outputs = shares.map { [Float](repeating: 0, count: $0 * model.outputCount) }

        let (median, runs) = EngineBenchmark.medianRun(seconds: seconds) {
            if workers == 1 {
                runShare(0, sessions: sessions, inputs: inputs, outputs: &outputs[0], share: shares[0])
            } else {
                outputs.withUnsafeMutableBufferPointer { all in
                    let base = all.baseAddress!
                    DispatchQueue.concurrentPerform(iterations: workers) { k in
                        runShare(k, sessions: sessions, inputs: inputs, outputs: &base[k], share: shares[k])
                    }
                }
            }
        }
        return Result(msPerFace: median * 1000 / Double(batch),
                      gflops: Double(model.flops) * Double(batch) / median / 1e9, runs: runs)
    }

    /// Runs `body` for a second of warm-up, then for `seconds` and at least five times: the
    /// median run's seconds, and how many runs it is the median of.
    public static func medianRun(seconds: Double, _ body: () throws -> Void) rethrows -> (median: Double, runs: Int) {
        func once() throws -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        let warmUpEnd = DispatchTime.now().uptimeNanoseconds + 1_000_000_000
        repeat { _ = try once() } while DispatchTime.now().uptimeNanoseconds < warmUpEnd
        var times: [Double] = []
        let end = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        repeat { times.append(try once()) } while DispatchTime.now().uptimeNanoseconds < end || times.count < 5
        times.sort()
        return (times[times.count / 2], times.count)
    }

    /// Milliseconds per face in each layer, over about `seconds` of runs of `batch` faces.
    public func profile(seconds: Double) -> [(name: String, className: String, msPerSample: Double)] {
        let session = model.makeSession(maxBatch: batch)
        var generator = SeededRandom(seed: 42)
        let input = (0..<(batch * model.inputShape.reduce(1, *))).map { _ in Float(generator.next() % 256) / 255 }
        let probe = DispatchTime.now().uptimeNanoseconds
        _ = session.profile(input, batch: batch, repetitions: 3)
        let perRun = max(Double(DispatchTime.now().uptimeNanoseconds - probe) / 3e9, 1e-6)
        return session.profile(input, batch: batch, repetitions: min(max(Int(seconds / perRun), 3), 100_000))
    }

    private func runShare(_ k: Int, sessions: [InferenceSession], inputs: [[Float]], outputs: inout [Float], share: Int) {
        inputs[k].withUnsafeBufferPointer { input in
            outputs.withUnsafeMutableBufferPointer { output in
                sessions[k].run(input, batch: share, into: output)
            }
        }
    }
}
