import KerasEngine

/// A face's classification as the pipeline pays for it: `EmotionClassifier.classify` on seeded
/// random crops, both passes and the averaging when the model's metadata asks for flip
/// averaging. `bench` reports it beside the engine's time per pass.
public struct ClassifierBenchmark {
    public let classifier: EmotionClassifier
    public let faces: Int

    public init(classifier: EmotionClassifier, faces: Int) {
        self.classifier = classifier
        self.faces = max(faces, 1)
    }

    /// The median run's milliseconds per face, after a second of warm-up, over `seconds`.
    public func measure(seconds: Double) throws -> Double {
        let perFace = classifier.inputHeight * classifier.inputWidth * classifier.inputChannels
        var generator = SeededRandom(seed: 42)
        let input = (0..<(faces * perFace)).map { _ in Float(generator.next() % 256) / 255 }
        let (median, _) = try input.withUnsafeBufferPointer { input in
            try EngineBenchmark.medianRun(seconds: seconds) { _ = try classifier.classify(input, count: faces) }
        }
        return median * 1000 / Double(faces)
    }
}
