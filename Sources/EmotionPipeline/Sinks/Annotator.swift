import FaceDetection

/// Draws a frame's results onto an image: a box per face, its label and confidence on a filled
/// tag above it (inside the box when there is no room above), the tracker's id first when
/// there is one; with `labels`, a bar per label beside the box showing its probability. Used by
/// the window and by anything else that writes annotated frames.
public struct Annotator: Sendable {
    /// Mirror boxes left-right before drawing (the image shown is mirrored).
    public var mirrored: Bool
    /// The model's labels: draws the probability bars. Empty: no bars.
    public var labels: [String]
    /// Draw each face's landmarks (when its detector gave them) as small squares.
    public var landmarks: Bool

    public init(mirrored: Bool = false, labels: [String] = [], landmarks: Bool = false) {
        self.mirrored = mirrored
        self.labels = labels
        self.landmarks = landmarks
    }

    /// A colour per emotion, so labels can be told apart at a glance.
    public static func colour(for label: String) -> Colour {
        switch EmotionLabel(spelling: label) {
        case .angry: return Colour(red: 230, green: 40, blue: 40)
        case .contempt: return Colour(red: 200, green: 110, blue: 60)
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
        let boxes = result.faces.map { mirrored ? $0.box.mirrored(inWidth: width) : $0.box }
        // Bars first, so every box and tag stays visible on top of them.
        if !labels.isEmpty {
            for (i, face) in result.faces.enumerated() where face.probabilities.count == labels.count {
                var others = boxes
                others.remove(at: i)
                try drawBars(face, beside: boxes[i], avoiding: others, on: image, fontScale: fontScale * 0.75)
            }
        }
        for (face, box) in zip(result.faces, boxes) {
            let colour = Self.colour(for: face.label)
            try image.drawRectangle(box, colour: colour, thickness: thickness + 1)

            let text = "\(face.id.map { "#\($0) " } ?? "")\(face.label) \(Int((face.confidence * 100).rounded()))%"
            let size = try Image.textSize(text, fontScale: fontScale, thickness: thickness)
            let pad = max(2, size.height / 4)
            let tagHeight = size.height + size.baseline + 2 * pad
            let tagTop = box.y - tagHeight >= 0 ? box.y - tagHeight : box.y
            let tag = FaceBox(x: box.x, y: tagTop, width: size.width + 2 * pad, height: tagHeight)
            try image.fillRectangle(tag, colour: colour)
            try image.drawText(text, x: tag.x + pad, y: tag.y + pad + size.height, fontScale: fontScale,
                               colour: .black, thickness: thickness)
            if landmarks, let points = face.landmarks {
                // A dark-edged dot in the face's colour, visible on light and dark skin alike.
                let radius = thickness + 1
                for point in points {
                    let x = Int(point.x.rounded()), y = Int(point.y.rounded())
                    let shownX = mirrored ? width - 1 - x : x
                    try image.fillRectangle(FaceBox(x: shownX - radius - 1, y: y - radius - 1, width: 2 * radius + 3, height: 2 * radius + 3),
                                            colour: .black)
                    try image.fillRectangle(FaceBox(x: shownX - radius, y: y - radius, width: 2 * radius + 1, height: 2 * radius + 1),
                                            colour: colour)
                }
            }
        }
    }

    /// A small panel beside the box: per label, its name and a bar as long as its probability,
    /// in the label's colour. Right of the box, or left when that covers fewer of the `avoiding`
    /// faces (or there is no room on the right).
    private func drawBars(_ face: FaceResult, beside box: FaceBox, avoiding others: [FaceBox], on image: Image,
                          fontScale: Double) throws {
        let names = labels.map { String($0.prefix(10)) }
        var nameWidth = 0, textHeight = 0
        for name in names {
            let size = try Image.textSize(name, fontScale: fontScale, thickness: 1)
            nameWidth = max(nameWidth, size.width)
            textHeight = max(textHeight, size.height)
        }
        let pad = 3
        let row = textHeight + 4
        let barLength = max(50, Int(Double(nameWidth) * 1.2))
        let panelWidth = pad * 3 + nameWidth + barLength
        let panelHeight = pad * 2 + row * labels.count
        let y = max(0, min(box.y, image.height - panelHeight))
        let right = box.x + box.width + 4, left = box.x - 4 - panelWidth
        func covered(_ x: Int) -> Int {
            let panel = FaceBox(x: x, y: y, width: panelWidth, height: panelHeight)
            return others.reduce(0) { sum, other in
                let w = min(panel.x + panel.width, other.x + other.width) - max(panel.x, other.x)
                let h = min(panel.y + panel.height, other.y + other.height) - max(panel.y, other.y)
                return sum + max(0, w) * max(0, h)
            }
        }
        let fitsRight = right + panelWidth <= image.width, fitsLeft = left >= 0
        let x: Int
        if fitsRight && (!fitsLeft || covered(right) <= covered(left)) {
            x = right
        } else if fitsLeft {
            x = left
        } else {
            x = max(0, min(right, image.width - panelWidth))
        }
        try image.fillRectangle(FaceBox(x: x, y: y, width: panelWidth, height: panelHeight), colour: .black)
        for (i, name) in names.enumerated() {
            let top = y + pad + i * row
            try image.drawText(name, x: x + pad, y: top + textHeight + 1, fontScale: fontScale, colour: .white, thickness: 1)
            let length = Int((Double(max(0, min(1, face.probabilities[i]))) * Double(barLength)).rounded())
            if length > 0 {
                try image.fillRectangle(FaceBox(x: x + pad * 2 + nameWidth, y: top + 2, width: length, height: row - 3),
                                        colour: Self.colour(for: labels[i]))
            }
        }
    }
}
