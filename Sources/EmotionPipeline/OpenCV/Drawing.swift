import FaceDetection
import OpenCVShim

/// A colour in OpenCV's byte order (blue, green, red).
public struct Colour: Equatable, Sendable {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    public static let white = Colour(red: 255, green: 255, blue: 255)
    public static let black = Colour(red: 0, green: 0, blue: 0)

    var cColour: cvs_color { cvs_color(b: blue, g: green, r: red) }
}

/// Size of a text as `Image.drawText` renders it (FONT_HERSHEY_SIMPLEX).
public struct TextSize: Equatable, Sendable {
    public var width: Int
    public var height: Int
    /// Distance from the baseline to the lowest descender.
    public var baseline: Int
}

extension Image {
    public func drawRectangle(_ box: FaceBox, colour: Colour, thickness: Int = 2) throws {
        try shimCall { cvs_draw_rect(handle, box.cRect, colour.cColour, Int32(thickness), $0) }
    }

    public func fillRectangle(_ box: FaceBox, colour: Colour) throws {
        try shimCall { cvs_fill_rect(handle, box.cRect, colour.cColour, $0) }
    }

    /// An anti-aliased line from (x0, y0) to (x1, y1).
    public func drawLine(x0: Int, y0: Int, x1: Int, y1: Int, colour: Colour, thickness: Int = 1) throws {
        try shimCall { cvs_draw_line(handle, Int32(x0), Int32(y0), Int32(x1), Int32(y1), colour.cColour, Int32(thickness), $0) }
    }

    /// Draws `text` with its baseline's left end at (x, y).
    public func drawText(_ text: String, x: Int, y: Int, fontScale: Double, colour: Colour, thickness: Int = 1) throws {
        try shimCall { cvs_draw_text(handle, text, Int32(x), Int32(y), fontScale, colour.cColour, Int32(thickness), $0) }
    }

    public static func textSize(_ text: String, fontScale: Double, thickness: Int = 1) throws -> TextSize {
        var w: Int32 = 0, h: Int32 = 0, b: Int32 = 0
        try shimCall { cvs_text_size(text, fontScale, Int32(thickness), &w, &h, &b, $0) }
        return TextSize(width: Int(w), height: Int(h), baseline: Int(b))
    }
}
