import OpenCVShim

/// An axis-aligned box in pixels: a detected face, or the crop taken from it.
public struct FaceBox: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var isEmpty: Bool { width <= 0 || height <= 0 }
    public var area: Int { isEmpty ? 0 : width * height }

    /// `[x,y,w,h]`, as the text output prints it.
    public var description: String { "[\(x),\(y),\(width),\(height)]" }

    /// The part of the box inside a `width` x `height` image (possibly empty).
    public func clamped(toWidth imageWidth: Int, height imageHeight: Int) -> FaceBox {
        let left = max(0, x), top = max(0, y)
        let right = min(imageWidth, x + width), bottom = min(imageHeight, y + height)
        return FaceBox(x: left, y: top, width: max(0, right - left), height: max(0, bottom - top))
    }

    /// The same box seen in the image mirrored left-right (for drawing on a mirrored view).
    public func mirrored(inWidth imageWidth: Int) -> FaceBox {
        FaceBox(x: imageWidth - x - width, y: y, width: width, height: height)
    }

    /// Intersection over union with another box, 0 when they do not overlap.
    public func intersectionOverUnion(_ other: FaceBox) -> Double {
        let left = max(x, other.x), top = max(y, other.y)
        let right = min(x + width, other.x + other.width), bottom = min(y + height, other.y + other.height)
        let inter = max(0, right - left) * max(0, bottom - top)
        let union = area + other.area - inter
        return union > 0 ? Double(inter) / Double(union) : 0
    }

    package var cRect: cvs_rect { cvs_rect(x: Int32(x), y: Int32(y), width: Int32(width), height: Int32(height)) }

    package init(_ rect: cvs_rect) {
        self.init(x: Int(rect.x), y: Int(rect.y), width: Int(rect.width), height: Int(rect.height))
    }
}
