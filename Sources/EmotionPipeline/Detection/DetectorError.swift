/// A face detector's file that loads but is not what the detector needs.
public enum DetectorError: Error, CustomStringConvertible, Equatable {
    /// An MTCNN network file whose input or output is not the stage's.
    case notAnMTCNNStage(path: String, input: [Int], output: [Int], expected: String)

    public var description: String {
        switch self {
        case let .notAnMTCNNStage(path, input, output, expected):
            return "\(path): not an MTCNN network: input \(input), output \(output); expected \(expected)"
        }
    }
}
