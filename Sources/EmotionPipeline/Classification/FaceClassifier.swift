/// Maps preprocessed faces to class probabilities. `EmotionClassifier` is the real one (the
/// Keras engine); tests use stand-ins.
public protocol FaceClassifier: AnyObject {
    /// The model's input, H x W x C.
    var inputHeight: Int { get }
    var inputWidth: Int { get }
    var inputChannels: Int { get }
    /// How the model expects 0-255 pixels to be scaled.
    var inputScale: InputScale { get }
    /// Label names in output order.
    var labels: [String] { get }

    /// Probabilities for `count` faces laid out one after another in `input`
    /// (each H*W*C floats, HWC); one array of `labels.count` values per face.
    func classify(_ input: UnsafeBufferPointer<Float>, count: Int) throws -> [[Float]]
}

extension FaceClassifier {
    /// A preprocessor that produces exactly this classifier's input.
    public func makePreprocessor(margins: CropMargins = .default) -> FacePreprocessor {
        FacePreprocessor(inputHeight: inputHeight, inputWidth: inputWidth, inputChannels: inputChannels,
                         inputScale: inputScale, margins: margins)
    }
}
