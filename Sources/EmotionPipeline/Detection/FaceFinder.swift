/// A point in a frame, in pixels.
public struct FacePoint: Equatable, Sendable {
    public var x: Double
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// A face a detector found: its box and, from a detector that gives them (MTCNN, YuNet), five
/// landmarks: left eye, right eye, nose, left and right mouth corner ("left" as seen in the picture).
public struct DetectedFace: Equatable, Sendable {
    public var box: FaceBox
    public var landmarks: [FacePoint]?

    public init(box: FaceBox, landmarks: [FacePoint]? = nil) {
        self.box = box
        self.landmarks = landmarks
    }
}

/// Which detector finds the faces (`--detector`).
public enum DetectorKind: String, CaseIterable, Sendable {
    /// OpenCV's frontal-face Haar cascade, followed between whole-frame searches (`FrameDetector`).
    case haar
    /// MTCNN's three networks on the engine (`MTCNNFrameDetector`): turned faces, landmarks.
    case mtcnn
    /// YuNet's single network on the engine (`YuNetFrameDetector`): turned and small faces,
    /// landmarks, every frame searched whole.
    case yunet
}

/// Finds the faces of the frames of one sequence, in order: it may remember where the faces of
/// earlier frames were and look there first. What the pipeline's detector stage calls.
public protocol FaceFinder: AnyObject {
    /// Whether it looks at colour (frames are then decoded in colour even when no sink draws).
    var needsColour: Bool { get }
    /// The faces of the next frame (colour or grey).
    func faces(in picture: Image) throws -> [DetectedFace]
    /// Forgets earlier frames: the next picture is searched whole (unrelated pictures).
    func reset()
}

extension FrameDetector: FaceFinder {
    public var needsColour: Bool { false }

    public func faces(in picture: Image) throws -> [DetectedFace] {
        try detect(in: try picture.grey()).map { DetectedFace(box: $0) }
    }
}
