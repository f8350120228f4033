import FaceDetection

/// A face the preprocessor refuses before OpenCV sees it (the shim's own failures stay
/// `OpenCVError`): which face, and why, in one line.
public enum PreprocessingError: Error, CustomStringConvertible, Equatable {
    /// The crop of `box`, after the margins, has no pixel inside the `width` x `height` frame.
    case boxOutsideFrame(box: FaceBox, width: Int, height: Int)
    /// Fewer grey bytes than a `width` x `height` face needs (a FER-2013 row cut short).
    case tooFewPixels(count: Int, width: Int, height: Int)

    public var description: String {
        switch self {
        case let .boxOutsideFrame(box, width, height):
            return "face box \(box) lies outside the \(width)x\(height) frame"
        case let .tooFewPixels(count, width, height):
            return "\(count) pixels given for a \(width)x\(height) face"
        }
    }
}
