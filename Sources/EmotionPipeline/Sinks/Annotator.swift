/// Draws a frame's results onto an image: a box per face, its label and confidence on a filled
/// tag above it (inside the box when there is no room above). Used by the window and by
/// anything else that writes annotated frames.
public struct Annotator: Sendable {
    /// Mirror boxes left-right before drawing (the image shown is mirrored).
    public var mirrored: Bool

    public init(mirrored: Bool = false) {
        self.mirrored = mirrored
    }

    /// A colour per emotion, so labels can be told apart at a glance.
    public static func colour(for label: String) -> Colour {
        switch EmotionLabel(spelling: label) {
        case .angry: return Colour(red: 230, green: 40, blue: 40)
        case .disgusted: return Colour(red: 120, green: 170, blue: 40)
        case .fearful: return Colour(red: 160, green: 80, blue: 220)
        case .happy: return Colour(red: 40, green: 200, blue: 80)
        case .neutral: return Colour(red: 200, green: 200, blue: 200)
        case .sad: return Colour(red: 60, green: 120, blue: 230)
        case .surprised: return Colour(red: 250, green: 190, blue: 30)
        case nil: return Colour(red: 255, green: 255, blue: 255)
        }
    }

    public func annotate(_ image: Image, with result: FrameResult) throws {
        let width = image.width
        // Text and lines grow with the picture so labels stay readable on large frames, without
        // covering neighbouring faces on small ones.
        let fontScale = min(0.9, max(0.4, Double(max(width, image.height)) / 1600))
        let thickness = max(1, Int((fontScale * 2).rounded()))
        for face in result.faces {
            let box = mirrored ? face.box.mirrored(inWidth: width) : face.box
            let colour = Self.colour(for: face.label)
            try image.drawRectangle(box, colour: colour, thickness: thickness + 1)

            let text = "\(face.label) \(Int((face.confidence * 100).rounded()))%"
            let size = try Image.textSize(text, fontScale: fontScale, thickness: thickness)
            let pad = max(2, size.height / 4)
            let tagHeight = size.height + size.baseline + 2 * pad
            let tagTop = box.y - tagHeight >= 0 ? box.y - tagHeight : box.y
            let tag = FaceBox(x: box.x, y: tagTop, width: size.width + 2 * pad, height: tagHeight)
            try image.fillRectangle(tag, colour: colour)
            try image.drawText(text, x: tag.x + pad, y: tag.y + pad + size.height, fontScale: fontScale,
                               colour: .black, thickness: thickness)
        }
    }
}
