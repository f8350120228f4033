import FoundationEssentials
import Glibc

/// A single still image: one frame at time 0.
public final class ImageSource: FrameSource {
    public let info: SourceInfo
    private var image: Image?

    public init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw PipelineError.sourceNotFound(path: path) }
        let image: Image
        do {
            image = try Image.read(path: path)
        } catch let error as OpenCVError {
            throw PipelineError.sourceUnreadable(path: path, reason: error.kind == .notFound ? "not a readable image" : error.message)
        }
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
