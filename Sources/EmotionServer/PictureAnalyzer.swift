import EmotionPipeline

/// One worker's state: a frame processor (its own detector and inference session) that
/// analyses encoded pictures. Pictures are checked before decoding: the format from the first
/// bytes, the size from the header, so a 100,000-pixel-wide PNG costs nothing, and the container
/// (`ImageContainer`), so a cut PNG or JPEG is refused without a word from the decoder.
public final class PictureAnalyzer {
    public let processor: FrameProcessor
    public let maxPixels: Int

    public init(processor: FrameProcessor, maxPixels: Int) {
        self.processor = processor
        self.maxPixels = maxPixels
    }

    /// The faces of one picture, as a frame `index` of a stream at `time` seconds; searched
    /// whole (a server's pictures are unrelated, or frames of a stream this worker may not have
    /// seen the previous frame of).
    public func analyze(_ bytes: UnsafeRawBufferPointer, index: Int = 0, time: Double = 0) throws -> FrameResult {
        guard let format = ImageHeader.format(of: bytes) else { throw APIError.notAnImage() }
        guard let header = ImageHeader.read(bytes) else { throw APIError.undecodable(format) }
        guard header.width * header.height <= maxPixels else {
            throw APIError.pictureTooLarge(width: header.width, height: header.height, maxPixels: maxPixels)
        }
        // A cut or damaged PNG or JPEG is refused here: given to the decoder, libpng and libjpeg
        // would print their own lines on the server's stderr (and a cut JPEG would decode, grey
        // where the data stops).
        do { try ImageContainer.check(bytes) } catch { throw APIError.undecodable(format) }
        let picture: Image
        do {
            // Colour, then grey, as `emotion-live PHOTO` reads a file: the same pixels, the same results.
            picture = try Image.decode(bytes)
        } catch {
            throw APIError.undecodable(format)
        }
        processor.finder.reset()
        return try processor.process(Frame(index: index, time: time, image: picture))
    }
}
