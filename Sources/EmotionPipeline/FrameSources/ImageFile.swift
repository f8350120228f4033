import FaceDetection

/// An image file as a source reads it (a SOURCE that is an image, each entry of an image
/// directory): checked as a file (`SourceFile`) and, for PNG and JPEG, as a container
/// (`ImageContainer`) before OpenCV decodes it, so that whatever is wrong with it is one line of
/// ours and never a decoder's message on stderr, and a cut picture is never processed as if it
/// were whole.
enum ImageFile {
    /// The decoded picture at `path` (BGR). Throws `PipelineError.sourceNotFound` for a missing
    /// path, `PipelineError.sourceUnreadable` with the reason for everything else.
    static func read(path: String) throws -> Image {
        // The bytes are read here to check them and dropped before the decoder reads the file
        // again: imread's own handling (EXIF orientation...) stays exactly as it was, and the
        // picture's bytes and its pixels are never held at the same time.
        try SourceFile.contents(path).withUnsafeBytes { bytes in
            do {
                try ImageContainer.check(bytes)
            } catch let damage as ImageContainer.Damage {
                throw PipelineError.sourceUnreadable(path: path, reason: damage.description)
            }
        }
        let image: Image
        do {
            image = try Image.read(path: path)
        } catch let error as OpenCVError {
            throw PipelineError.sourceUnreadable(path: path, reason: error.kind == .notFound ? "not a readable image" : error.message)
        }
        guard !image.isEmpty else { throw PipelineError.sourceUnreadable(path: path, reason: "not a readable image") }
        return image
    }

    /// What `read` found wrong, without the path (for lines that name the file themselves).
    static func reason(_ error: Error) -> String {
        switch error {
        case PipelineError.sourceNotFound: return "no such file"
        case let PipelineError.sourceUnreadable(_, reason): return reason
        default: return String(describing: error)
        }
    }
}
