import KerasEngine

extension KerasModel {
    /// `emotion-live infer`: the outputs, in the model's own order, for each sample of `array`
    /// (read from `file`): an (N, H, W, C) array of samples or one (H, W, C) sample, already
    /// scaled as the model expects; any other shape is `NPYError.shapeMismatch`. The session
    /// runs them in passes of at most `maxBatch`.
    public func outputs(for array: NPYArray, file: String, maxBatch: Int) throws -> [[Float]] {
        let count: Int
        if array.shape.count == inputShape.count + 1, Array(array.shape.dropFirst()) == inputShape {
            count = array.shape[0]
        } else if array.shape == inputShape {
            count = 1
        } else {
            throw NPYError.shapeMismatch(file: file, found: array.shape, expected: inputShape)
        }
        let values = makeSession(maxBatch: maxBatch).predict(array.values, batch: count)
        return (0..<count).map { Array(values[($0 * outputCount)..<(($0 + 1) * outputCount)]) }
    }
}
