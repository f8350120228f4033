/// The largest frames a run accepts: 8192 x 8192 pixels' worth (67 megapixels; 8K UHD,
/// 7680 x 4320, is 33). A frame is held several times over while it is processed (the decoded
/// BGR picture, its grey copy, the annotated copy for `--output`, the decoder's and encoder's
/// own buffers): an 8K clip peaks near 1.1 GB, so twice that is where a run stops being
/// something a desktop can be expected to hold. Larger sources are refused when opened, in one
/// line naming the file and the limit, rather than risking the machine's memory.
public enum FrameSizeLimit {
    public static let maxPixels = 8192 * 8192

    /// Throws `PipelineError.frameTooLarge` when `info`'s frames exceed `maxPixels`.
    public static func check(_ info: SourceInfo) throws {
        guard info.width * info.height > maxPixels else { return }
        throw PipelineError.frameTooLarge(path: info.name, width: info.width, height: info.height, maxPixels: maxPixels)
    }
}
