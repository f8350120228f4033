import OpenCVShim

/// An 8-bit image owned by OpenCV (a `cv::Mat` behind the shim): grey (1 channel) or BGR (3).
///
/// Images are reference types because OpenCV owns the pixels; stages that must not see each
/// other's changes copy (`copy()`), as the window sink does before drawing.
public final class Image {
    package let handle: OpaquePointer

    /// An empty image, to be filled by a read or a conversion.
    public init() throws {
        var out: OpaquePointer?
        try shimCall { cvs_image_create(&out, $0) }
        handle = out!
    }

    /// An image copied from tightly packed bytes (row-major, `channels` bytes per pixel, BGR).
    public init(bytes: [UInt8], width: Int, height: Int, channels: Int) throws {
        precondition(bytes.count == width * height * channels, "byte count does not match the size")
        var out: OpaquePointer?
        try bytes.withUnsafeBufferPointer { buffer in
            try shimCall {
                cvs_image_create_from_bytes(buffer.baseAddress, Int32(width), Int32(height), Int32(channels),
                                            width * channels, &out, $0)
            }
        }
        handle = out!
    }

    deinit { cvs_image_destroy(handle) }

    /// Reads an image file (any format OpenCV decodes); BGR unless `grey`.
    public static func read(path: String, grey: Bool = false) throws -> Image {
        let image = try Image()
        try shimCall { cvs_image_read(path, grey ? 1 : 0, image.handle, $0) }
        return image
    }

    /// Decodes an encoded image held in memory (JPEG, PNG, WebP...); BGR unless `grey`.
    /// Bound its size first (`ImageHeader`): the decoder allocates what the header claims.
    public static func decode(_ bytes: UnsafeRawBufferPointer, grey: Bool = false) throws -> Image {
        let image = try Image()
        try shimCall { cvs_image_decode(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, grey ? 1 : 0, image.handle, $0) }
        return image
    }

    /// Writes the image; the format follows the extension (.png, .jpg...).
    public func write(to path: String) throws {
        try shimCall { cvs_image_write(handle, path, $0) }
    }

    public var width: Int { size.width }
    public var height: Int { size.height }
    public var channels: Int { size.channels }
    public var isEmpty: Bool { width == 0 || height == 0 }

    private var size: (width: Int, height: Int, channels: Int) {
        var w: Int32 = 0, h: Int32 = 0, c: Int32 = 0
        cvs_image_size(handle, &w, &h, &c)
        return (Int(w), Int(h), Int(c))
    }

    /// The pixels, tightly packed (row-major, `channels` bytes per pixel).
    public var bytes: [UInt8] {
        var stride = 0
        guard let base = cvs_image_data(handle, &stride) else { return [] }
        let rowBytes = width * channels
        var result = [UInt8]()
        result.reserveCapacity(rowBytes * height)
        for y in 0..<height {
            result.append(contentsOf: UnsafeBufferPointer(start: base + y * stride, count: rowBytes))
        }
        return result
    }

    /// Calls `body` with the pixels where OpenCV keeps them (row `y` starts at
    /// `base + y * rowStride`, `channels` bytes per pixel), without copying them out; nil for
    /// an empty image. The pointer is valid only inside `body`.
    public func withUnsafePixels<Result>(_ body: (_ base: UnsafePointer<UInt8>?, _ rowStride: Int) throws -> Result) rethrows -> Result {
        var stride = 0
        let base = cvs_image_data(handle, &stride)
        return try withExtendedLifetime(self) { try body(base, stride) }
    }

    public func copy() throws -> Image {
        let image = try Image()
        try shimCall { cvs_image_copy(handle, image.handle, $0) }
        return image
    }

    /// The grey version of this image: the image itself when it already is grey (sinks copy a
    /// frame before drawing on it), saving a frame-sized copy per frame of a grey source.
    public func grey() throws -> Image {
        if channels == 1 { return self }
        let image = try Image()
        try shimCall { cvs_image_to_grey(handle, image.handle, $0) }
        return image
    }

    /// A three-channel version of this image, for drawing in colour.
    public func bgr() throws -> Image {
        let image = try Image()
        try shimCall { cvs_image_to_bgr(handle, image.handle, $0) }
        return image
    }

    /// Mirrors the image left-right, in place.
    public func flipHorizontally() throws {
        try shimCall { cvs_image_flip_horizontal(handle, handle, $0) }
    }

    /// A resized copy; `area` uses INTER_AREA (best for shrinking), otherwise bilinear.
    public func resized(width: Int, height: Int, area: Bool = true) throws -> Image {
        let image = try Image()
        try shimCall { cvs_image_resize(handle, Int32(width), Int32(height), area ? 1 : 0, image.handle, $0) }
        return image
    }
}
