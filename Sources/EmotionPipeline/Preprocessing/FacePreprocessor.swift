import FaceDetection
import Glibc
import OpenCVShim

/// Turns a face box into the model's input: crop inside the box (`CropMargins`), grey, resize to
/// the model's H x W (INTER_AREA to shrink, INTER_LINEAR to enlarge, on floats), copy grey into its C channels, scale as the model was
/// trained (`InputScale`). Output is H*W*C floats, HWC.
///
/// FER-2013 rows (already 48x48 face crops) go through `preprocess(greyPixels:)`, the same
/// resize-and-scale code in the shim, so `evaluate` sees exactly what a live face gives.
public struct FacePreprocessor: Equatable, Sendable {
    public var inputHeight: Int
    public var inputWidth: Int
    public var inputChannels: Int
    public var inputScale: InputScale
    public var margins: CropMargins
    /// With a face's landmarks (MTCNN): turn the crop so the eyes are level (`--no-align` off).
    public var align: Bool

    public init(inputHeight: Int, inputWidth: Int, inputChannels: Int, inputScale: InputScale,
                margins: CropMargins = .default, align: Bool = true) {
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.inputChannels = inputChannels
        self.inputScale = inputScale
        self.margins = margins
        self.align = align
    }

    /// Floats per face: H * W * C.
    public var floatsPerFace: Int { inputHeight * inputWidth * inputChannels }

    /// The crop this preprocessor takes for `box` in `image`, or nil when there is nothing.
    public func cropRect(for box: FaceBox, in image: Image) -> FaceBox? {
        margins.cropRect(for: box, imageWidth: image.width, imageHeight: image.height)
    }

    /// Writes the face in `box` of `image` (grey preferred; BGR is converted) into `output`,
    /// which must hold `floatsPerFace` floats.
    public func preprocess(face box: FaceBox, in image: Image, into output: UnsafeMutableBufferPointer<Float>) throws {
        guard let crop = cropRect(for: box, in: image) else {
            throw PreprocessingError.boxOutsideFrame(box: box, width: image.width, height: image.height)
        }
        let (scale, offset) = inputScale.scaleAndOffset
        try shimCall {
            cvs_crop_resize_to_floats(image.handle, crop.cRect, Int32(inputWidth), Int32(inputHeight),
                                      Int32(inputChannels), scale, offset, output.baseAddress, output.count, $0)
        }
    }

    /// The face in `box`, turned about the crop's centre so that the eyes (`landmarks[0]` and
    /// `[1]`, MTCNN's order) are level, then framed as `preprocess(face:in:into:)` frames it
    /// (the crop's longer side, square). Without landmarks, or with `align` off, exactly
    /// `preprocess(face:in:into:)`: Haar's faces are never turned.
    public func preprocess(face box: FaceBox, landmarks: [FacePoint]?, in image: Image,
                           into output: UnsafeMutableBufferPointer<Float>) throws {
        guard align, let points = landmarks, points.count >= 2, cropRect(for: box, in: image) != nil else {
            return try preprocess(face: box, in: image, into: output)
        }
        let angle = atan2(points[1].y - points[0].y, points[1].x - points[0].x) * 180 / .pi
        let crop = margins.marginRect(for: box)
        let (scale, offset) = inputScale.scaleAndOffset
        try shimCall {
            cvs_crop_aligned_to_floats(image.handle, Double(crop.x) + Double(crop.width) / 2, Double(crop.y) + Double(crop.height) / 2,
                                       Double(max(crop.width, crop.height, 1)), angle,
                                       Int32(inputWidth), Int32(inputHeight), Int32(inputChannels), scale, offset,
                                       output.baseAddress, output.count, $0)
        }
    }

    public func preprocess(face box: FaceBox, in image: Image) throws -> [Float] {
        var result = [Float](repeating: 0, count: floatsPerFace)
        try result.withUnsafeMutableBufferPointer { try preprocess(face: box, in: image, into: $0) }
        return result
    }

    /// Preprocesses an already-cropped grey face given as bytes (`width` x `height`, row-major),
    /// e.g. a 48x48 FER-2013 row: resize (INTER_AREA) and scale, no margins.
    public func preprocess(greyPixels pixels: UnsafeBufferPointer<UInt8>, width: Int, height: Int,
                           into output: UnsafeMutableBufferPointer<Float>) throws {
        guard pixels.count >= width * height else {
            throw PreprocessingError.tooFewPixels(count: pixels.count, width: width, height: height)
        }
        let (scale, offset) = inputScale.scaleAndOffset
        try shimCall {
            cvs_grey_bytes_resize_to_floats(pixels.baseAddress, Int32(width), Int32(height), Int32(inputWidth),
                                            Int32(inputHeight), Int32(inputChannels), scale, offset,
                                            output.baseAddress, output.count, $0)
        }
    }

    public func preprocess(greyPixels pixels: [UInt8], width: Int, height: Int) throws -> [Float] {
        var result = [Float](repeating: 0, count: floatsPerFace)
        try pixels.withUnsafeBufferPointer { source in
            try result.withUnsafeMutableBufferPointer { try preprocess(greyPixels: source, width: width, height: height, into: $0) }
        }
        return result
    }
}
