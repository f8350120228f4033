import FaceDetection

/// A single still image: one frame at time 0.
public final class ImageSource: FrameSource {
    public let info: SourceInfo
    private var image: Image?

    /// Throws `PipelineError.sourceNotFound` or `.sourceUnreadable` (see `ImageFile.read`).
    public init(path: String) throws {
        let image = try ImageFile.read(path: path)
        self.image = image
        info = SourceInfo(kind: .image, name: path, width: image.width, height: image.height, fps: 0, frameCount: 1)
    }

    public func nextFrame() throws -> Frame? {
        guard let image else { return nil }
        self.image = nil
        return Frame(index: 0, time: 0, image: image, source: info.name)
    }

    public func close() { image = nil }
}
