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
