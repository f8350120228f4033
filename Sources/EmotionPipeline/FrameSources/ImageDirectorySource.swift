import FaceDetection
import FoundationEssentials
import Glibc

/// Every image in a directory, in name order, one frame each (time 0, `Frame.source` the file's
/// path). Hidden entries and subdirectories are ignored; a file that does not decode as an image
/// is reported through `warn` (one line naming it) and skipped. A directory with no readable
/// image at all is an error.
public final class ImageDirectorySource: FrameSource {
    public let info: SourceInfo
    /// The entries still to read, in order.
    private var pending: [String]
    private let warn: (String) -> Void
    /// The first readable image, decoded while opening (for the size in `info`).
    private var first: (path: String, image: Image)?
    private var delivered = 0

    public init(path: String, warn: @escaping (String) -> Void = { _ in }) throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw PipelineError.sourceUnreadable(path: path, reason: "cannot list the directory")
        }
        let base = path.hasSuffix("/") ? path : path + "/"
        // Name order: byte order of the UTF-8 names, the same on every machine.
        var entries = names.filter { !$0.hasPrefix(".") }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            .map { base + $0 }
            .filter { entry in
                var isDirectory: Bool = false
                return FileManager.default.fileExists(atPath: entry, isDirectory: &isDirectory) && !isDirectory
            }
        let total = entries.count
        self.warn = warn
        var found: (String, Image)?
        while found == nil, !entries.isEmpty {
            let entry = entries.removeFirst()
            if let image = Self.read(entry, warn: warn) { found = (entry, image) }
        }
        guard let found else {
            throw PipelineError.sourceUnreadable(path: path, reason: total == 0 ? "no images in the directory" : "no readable image in the directory")
        }
        first = found
        pending = entries
        info = SourceInfo(kind: .image, name: path, width: found.1.width, height: found.1.height, fps: 0,
                          frameCount: entries.count + 1)
    }

    public func nextFrame() throws -> Frame? {
        if let first {
            self.first = nil
            return deliver(first.image, path: first.path)
        }
        while !pending.isEmpty {
            let entry = pending.removeFirst()
            if let image = Self.read(entry, warn: warn) { return deliver(image, path: entry) }
        }
        return nil
    }

    public func close() {
        first = nil
        pending = []
    }

    private func deliver(_ image: Image, path: String) -> Frame {
        defer { delivered += 1 }
        return Frame(index: delivered, time: 0, image: image, source: path)
    }

    private static func read(_ path: String, warn: (String) -> Void) -> Image? {
        do {
            return try ImageFile.read(path: path)
        } catch {
            warn("\(path): skipped: \(ImageFile.reason(error))")
            return nil
        }
    }
}
