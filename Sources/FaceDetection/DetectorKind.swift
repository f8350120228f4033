/// Which detector finds the faces (`--detector`).
public enum DetectorKind: String, CaseIterable, Sendable {
    /// OpenCV's frontal-face Haar cascade, followed between whole-frame searches (`HaarFrameDetector`).
    case haar
    /// MTCNN's three networks on the engine (`MTCNNFrameDetector`): turned faces, landmarks.
    case mtcnn
    /// YuNet's single network on the engine (`YuNetFrameDetector`): turned and small faces,
    /// landmarks, every frame searched whole.
    case yunet
}
