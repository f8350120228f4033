import KerasEngine

/// The Keras model behind `FaceClassifier`: all faces of a frame in one batch, labels and input
/// scaling from the model's metadata, optionally averaged with each face's mirror image.
public final class EmotionClassifier: FaceClassifier {
    public let model: KerasModel
    public let metadata: ModelMetadata
    public let maxBatch: Int
    public let inputHeight: Int
    public let inputWidth: Int
    public let inputChannels: Int
    private let session: InferenceSession
    private var output: [Float]
    private var mirrored: [Float] = []

    public var inputScale: InputScale { metadata.inputScale }
    public var labels: [String] { metadata.labels }

    /// `path` only names the model in errors.
    public init(model: KerasModel, metadata: ModelMetadata, path: String = "model", maxBatch: Int = 16) throws {
        let shape = model.inputShape
        guard shape.count == 3, shape.allSatisfy({ $0 > 0 }) else {
            throw PipelineError.modelIncompatible(path: path, reason: "input shape \(shape) is not H x W x C")
        }
        guard shape[2] == 1 || shape[2] == 3 else {
            throw PipelineError.modelIncompatible(path: path, reason: "input has \(shape[2]) channels (1 or 3 expected)")
        }
        guard model.outputCount == metadata.labels.count else {
            throw PipelineError.modelIncompatible(
                path: path, reason: "\(model.outputCount) outputs but \(metadata.labels.count) labels")
        }
        self.model = model
        self.metadata = metadata
        self.maxBatch = max(1, maxBatch)
        inputHeight = shape[0]
        inputWidth = shape[1]
        inputChannels = shape[2]
        session = model.makeSession(maxBatch: self.maxBatch)
        output = [Float](repeating: 0, count: self.maxBatch * model.outputCount)
    }

    /// Loads the model at `path` with `metadata`, or the metadata resolved for it (sidecar,
    /// then defaults) when nil.
    public convenience init(modelPath path: String, metadata: ModelMetadata? = nil, maxBatch: Int = 16) throws {
        let model: KerasModel
        do {
            model = try KerasModel.load(path: path)
        } catch {
            throw PipelineError.modelUnreadable(path: path, reason: String(describing: error))
        }
        let resolved: ModelMetadata
        if let metadata {
            resolved = metadata
        } else {
            do {
                resolved = try ModelMetadata.resolve(modelPath: path, classCount: model.outputCount)
            } catch {
                throw PipelineError.modelIncompatible(path: path, reason: String(describing: error))
            }
        }
        try self.init(model: model, metadata: resolved, path: path, maxBatch: maxBatch)
    }

    public func classify(_ input: UnsafeBufferPointer<Float>, count: Int) throws -> [[Float]] {
        let perFace = inputHeight * inputWidth * inputChannels
        precondition(input.count >= count * perFace, "input holds fewer than \(count) faces")
        let classes = model.outputCount
        var results: [[Float]] = []
        results.reserveCapacity(count)
        var start = 0
        while start < count {
            let batch = min(maxBatch, count - start)
            let slice = UnsafeBufferPointer(rebasing: input[(start * perFace)..<((start + batch) * perFace)])
            var probabilities = run(slice, batch: batch)
            if metadata.flipAverage {
                let flipped = runMirrored(slice, batch: batch)
                for i in probabilities.indices { probabilities[i] = (probabilities[i] + flipped[i]) / 2 }
            }
            for face in 0..<batch {
                results.append(Array(probabilities[(face * classes)..<((face + 1) * classes)]))
            }
            start += batch
        }
        return results
    }

    private func run(_ input: UnsafeBufferPointer<Float>, batch: Int) -> [Float] {
        let classes = model.outputCount
        output.withUnsafeMutableBufferPointer { out in
            session.run(input, batch: batch, into: UnsafeMutableBufferPointer(rebasing: out[0..<(batch * classes)]))
        }
        return Array(output[0..<(batch * classes)])
    }

    /// Runs the faces mirrored left-right (HWC), built in a reused buffer.
    private func runMirrored(_ input: UnsafeBufferPointer<Float>, batch: Int) -> [Float] {
        let h = inputHeight, w = inputWidth, c = inputChannels
        if mirrored.count < input.count { mirrored = [Float](repeating: 0, count: input.count) }
        var scratch = mirrored
        mirrored = []
        defer { mirrored = scratch }
        return scratch.withUnsafeMutableBufferPointer { out in
            for face in 0..<batch {
                for y in 0..<h {
                    let row = (face * h + y) * w * c
                    for x in 0..<w {
                        for k in 0..<c { out[row + x * c + k] = input[row + (w - 1 - x) * c + k] }
                    }
                }
            }
            return run(UnsafeBufferPointer(rebasing: out[0..<input.count]), batch: batch)
        }
    }
}
