/// A face detector's file that is missing, unreadable, or loads but is not what the detector
/// needs. `description` is one line, ready for stderr.
public enum DetectorError: Error, CustomStringConvertible, Equatable {
    /// No cascade given and none found where opencv-data installs it.
    case cascadeNotFound(searched: [String])
    /// A cascade path that is missing or not a cascade.
    case cascadeUnreadable(path: String, reason: String)
    /// A detector's network file (MTCNN, YuNet) that is not there.
    case fileMissing(path: String, reason: String)
    /// An MTCNN network file whose input or output is not the stage's.
    case notAnMTCNNStage(path: String, input: [Int], output: [Int], expected: String)
    /// A YuNet file that is not the one-output network `training/detectors/convert_yunet.py
    /// --single-output` writes (planned at 32 x 32: input [32, 32, 3], output [21, 16]).
    case notAYuNet(path: String, input: [Int], output: [Int])

    public var description: String {
        switch self {
        case let .cascadeNotFound(searched):
            return "no Haar cascade found (looked in \(searched.joined(separator: ", "))); install opencv-data or pass --cascade"
        case let .cascadeUnreadable(path, reason): return "\(path): cannot load cascade: \(reason)"
        case let .fileMissing(path, reason): return "\(path): cannot load the face detector: \(reason)"
        case let .notAnMTCNNStage(path, input, output, expected):
            return "\(path): not an MTCNN network: input \(input), output \(output); expected \(expected)"
        case let .notAYuNet(path, input, output):
            return "\(path): not YuNet with one output (training/detectors/convert_yunet.py --single-output): planned at 32x32 it takes "
                + "\(input) and gives \(output); expected [32, 32, 3] and [21, 16]"
        }
    }
}
