/// Large faces the picture's edge cuts, looked for past the edge.
///
/// Why: P-Net's windows lie inside the picture, so a face the edge cuts (the people at the
/// sides of a group selfie, someone leaning out of a webcam's view) fills at most part of a
/// window, and the cascade rejects it: on the shared group selfie three of the seven faces are
/// cut by the edge and none of them is found, as the PyPI package finds none of them either.
/// Searched on the picture framed with black, the visible part of such a face sits in a window
/// as a face against a dark background does, and the cascade finds it.
///
/// Only large faces are looked for this way: the levels for faces at least as large as the
/// border (`MTCNNOptions.border` of the shorter side) run again on the framed picture, which
/// adds a few small pyramid levels; small faces cut by the edge are too little of a face to
/// classify anyway. Candidates the framed search finds inside the picture are the whole
/// search's own and are dropped; those that reach past the edge go through R-Net and O-Net on
/// the framed picture (their crops see the same black), and a face is kept only if O-Net's box
/// still reaches past the edge: the faces inside the picture are exactly the reference's.
extension MTCNNDetector {
    /// The border in pixels for a `width` x `height` picture; 0 when off.
    func borderPixels(width: Int, height: Int) -> Int {
        Int((Double(min(width, height)) * options.border).rounded())
    }

    /// P-Net's candidates on `picture` framed by `border` pixels of black, from the levels for
    /// faces at least `border` pixels large, that reach past the picture's edge; in the framed
    /// picture's pixels.
    func edgeProposals(_ picture: NormalizedFrame, border: Int) throws -> [MTCNNBox] {
        let large = scales(width: picture.width, height: picture.height).filter { 12 / $0 >= Double(border) }
        guard border > 0, !large.isEmpty else { return [] }
        let framed = BorderedPicture(inner: picture, border: border, black: picture.blackValue)
        let (left, top) = (Double(border), Double(border))
        let (right, bottom) = (Double(border + picture.width - 1), Double(border + picture.height - 1))
        return try proposals(framed, scales: large).filter { box in
            box.x1 < left || box.y1 < top || box.x2 > right || box.y2 > bottom
        }
    }
}

extension MTCNNDetector {
    /// R-Net and O-Net on the framed picture for `candidates` (`edgeProposals`), the faces whose
    /// box reaches past the picture's edge, in the picture's pixels.
    func edgeFaces(_ candidates: [MTCNNBox], _ picture: NormalizedFrame, border: Int) -> [MTCNNBox] {
        let framed = BorderedPicture(inner: picture, border: border, black: picture.blackValue)
        let refined = refine(candidates, framed)
        guard !refined.isEmpty else { return [] }
        let (right, bottom) = (Double(picture.width - 1), Double(picture.height - 1))
        return output(refined, framed).map { $0.shifted(by: -Double(border), -Double(border)) }.filter { box in
            box.x1 < 0 || box.y1 < 0 || box.x2 > right || box.y2 > bottom
        }
    }
}

/// `inner` framed by `border` pixels of black on every side.
struct BorderedPicture<Inner: MTCNNPixels>: MTCNNPixels {
    let inner: Inner
    let border: Int
    /// What a black pixel reads as (the networks' input for byte 0).
    let black: Float

    var width: Int { inner.width + 2 * border }
    var height: Int { inner.height + 2 * border }

    func value(_ pixel: Int, _ channel: Int) -> Float {
        let (y, x) = pixel.quotientAndRemainder(dividingBy: width)
        let (innerY, innerX) = (y - border, x - border)
        guard innerY >= 0, innerY < inner.height, innerX >= 0, innerX < inner.width else { return black }
        return inner.value(innerY * inner.width + innerX, channel)
    }

    func row(_ y: Int, into values: UnsafeMutablePointer<Float>) {
        let innerY = y - border
        guard innerY >= 0, innerY < inner.height else {
            values.update(repeating: black, count: width * 3)
            return
        }
        values.update(repeating: black, count: border * 3)
        inner.row(innerY, into: values + border * 3)
        (values + (border + inner.width) * 3).update(repeating: black, count: border * 3)
    }
}

extension MTCNNBox {
    /// The box and its landmarks moved by (`dx`, `dy`).
    func shifted(by dx: Double, _ dy: Double) -> MTCNNBox {
        var box = self
        box.x1 += dx
        box.x2 += dx
        box.y1 += dy
        box.y2 += dy
        box.landmarks = landmarks.enumerated().map { index, value in value + (index < 5 ? dx : dy) }
        return box
    }
}
