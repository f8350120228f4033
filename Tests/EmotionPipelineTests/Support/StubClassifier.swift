@testable import EmotionPipeline

/// A stand-in classifier: a fixed input size and scaling; its probabilities follow the mean of
/// each face's input, so tests can see that the right pixels arrived.
final class StubClassifier: FaceClassifier {
    let inputHeight: Int
    let inputWidth: Int
    let inputChannels: Int
    let inputScale: InputScale
    let labels = EmotionLabel.canonicalOrder.map(\.rawValue)
    private(set) var batches: [Int] = []
    private(set) var means: [Float] = []

    init(height: Int = 48, width: Int = 48, channels: Int = 1, scale: InputScale = .unit) {
        inputHeight = height
        inputWidth = width
        inputChannels = channels
        inputScale = scale
    }

    func classify(_ input: UnsafeBufferPointer<Float>, count: Int) throws -> [[Float]] {
        batches.append(count)
        let perFace = inputHeight * inputWidth * inputChannels
        return (0..<count).map { face in
            let slice = input[(face * perFace)..<((face + 1) * perFace)]
            let mean = slice.reduce(0, +) / Float(perFace)
            means.append(mean)
            // "happy" wins, with a confidence that records nothing but a constant.
            var p = [Float](repeating: 0.05, count: 7)
            p[3] = 0.7
            return p
        }
    }
}
