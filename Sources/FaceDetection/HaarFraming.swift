/// Boxes of the CNN detectors (MTCNN, YuNet) in the framing OpenCV's Haar cascade gives the same
/// face: a square about the face's centre. The classifier's crop margins were set on Haar boxes
/// (FER-2013's framing), and boxes, tracking and drawing mean the same whichever detector found
/// a face. Each detector's ratio is measured on the faces it and Haar both find.
enum HaarFraming {
    /// The square of side `sideRatio` x the box's height (at least 1 pixel) on the box's centre,
    /// corners rounded to whole pixels.
    static func square(x: Double, y: Double, width: Double, height: Double, sideRatio: Double) -> FaceBox {
        let side = max(1, Int((height * sideRatio).rounded()))
        let cx = x + width / 2, cy = y + height / 2
        return FaceBox(x: Int((cx - Double(side) / 2).rounded()), y: Int((cy - Double(side) / 2).rounded()), width: side, height: side)
    }
}
