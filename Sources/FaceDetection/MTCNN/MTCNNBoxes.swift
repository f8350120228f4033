/// Candidate faces between MTCNN's stages and the box arithmetic the reference implementation
/// (PyPI `mtcnn` 1.0.0) does on them, in float64 as it does: regression, squaring and its
/// non-maximum suppression. See training/detectors/mtcnn-notes.md.
struct MTCNNBox: Equatable {
    var x1: Double
    var y1: Double
    var x2: Double
    var y2: Double
    var score: Double
    /// Five points (left eye, right eye, nose, left and right mouth corner) as x1...x5, y1...y5,
    /// in picture pixels: O-Net's output; empty before.
    var landmarks: [Double] = []

    var width: Double { x2 - x1 }
    var height: Double { y2 - y1 }
    var area: Double { width * height }

    /// R-Net's and O-Net's regression: offsets in box widths and heights, measured with the
    /// reference's "+ 1" pixel convention.
    func refined(dx1: Float, dy1: Float, dx2: Float, dy2: Float) -> MTCNNBox {
        let w = x2 - x1 + 1, h = y2 - y1 + 1
        var box = self
        box.x1 += Double(dx1) * w
        box.y1 += Double(dy1) * h
        box.x2 += Double(dx2) * w
        box.y2 += Double(dy2) * h
        return box
    }

    /// The square of the longer side, on the same centre (no rounding: the crops take floats).
    var squared: MTCNNBox {
        let side = max(width, height)
        var box = self
        box.x1 = x1 + width / 2 - side / 2
        box.y1 = y1 + height / 2 - side / 2
        box.x2 = box.x1 + side
        box.y2 = box.y1 + side
        return box
    }
}

enum MTCNNOverlap {
    /// Intersection over union.
    case union
    /// Intersection over the smaller box (O-Net's last pass: a box inside another goes).
    case minimum
}

enum MTCNNBoxes {
    /// Sorts by score, highest first.
    static func sorted(_ boxes: [MTCNNBox]) -> [MTCNNBox] {
        boxes.sorted { $0.score > $1.score }
    }

    static func overlap(_ a: MTCNNBox, _ b: MTCNNBox, _ mode: MTCNNOverlap) -> Double {
        let w = max(0, min(a.x2, b.x2) - max(a.x1, b.x1))
        let h = max(0, min(a.y2, b.y2) - max(a.y1, b.y1))
        let intersection = w * h
        let denominator: Double
        switch mode {
        case .union: denominator = a.area + b.area - intersection
        case .minimum: denominator = min(a.area, b.area)
        }
        return denominator > 0 ? intersection / denominator : 0
    }

    /// The reference's suppression, which is not the greedy one: a box goes when any box before
    /// it (in the given order, score descending) overlaps it by more than `threshold`, whether
    /// that box was kept or not. Kept boxes keep their order.
    static func suppress(_ boxes: [MTCNNBox], threshold: Double, mode: MTCNNOverlap) -> [MTCNNBox] {
        var kept: [MTCNNBox] = []
        kept.reserveCapacity(boxes.count)
        for j in boxes.indices {
            var suppressed = false
            for i in 0..<j where overlap(boxes[i], boxes[j], mode) > threshold {
                suppressed = true
                break
            }
            if !suppressed { kept.append(boxes[j]) }
        }
        return kept
    }
}
