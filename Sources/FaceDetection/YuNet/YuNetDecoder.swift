import Glibc

/// A face YuNet found, in the pixels of the picture it was given (before any framing): the box
/// as the network regresses it (x, y = top-left corner; floats, not clamped), its score, and
/// five landmarks: right eye, left eye, nose tip, right and left mouth corner of the person,
/// which are the left eye, right eye, nose, left and right mouth corner as seen in the picture
/// (`DetectedFace`'s order).
public struct YuNetFace: Equatable, Sendable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double
    public var score: Double
    public var landmarks: [FacePoint]

    public init(x: Double, y: Double, width: Double, height: Double, score: Double, landmarks: [FacePoint]) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
        self.score = score
        self.landmarks = landmarks
    }

    /// Intersection over union of the two boxes (0 when both are empty).
    public func intersectionOverUnion(_ other: YuNetFace) -> Double {
        let w = min(x + width, other.x + other.width) - max(x, other.x)
        let h = min(y + height, other.y + other.height) - max(y, other.y)
        let intersection = max(w, 0) * max(h, 0)
        let union = width * height + other.width * other.height - intersection
        return union > 0 ? intersection / union : 0
    }

    /// The face in a picture `x` times wider and `y` times taller (scaled about the origin).
    public func scaled(x fx: Double, y fy: Double) -> YuNetFace {
        YuNetFace(x: x * fx, y: y * fy, width: width * fx, height: height * fy, score: score,
                  landmarks: landmarks.map { FacePoint(x: $0.x * fx, y: $0.y * fy) })
    }
}

/// YuNet's output as OpenCV's FaceDetectorYN decodes it (../shared/models/yunet/PROVENANCE.md,
/// training/detectors/yunet_reference.py `decode`).
///
/// The network (`models/yunet-n.h5`, written with `--single-output`) gives one row of 16 floats
/// per cell of its three maps: [cls, obj, bbox0...3, kps0...9]; cells of stride 8 first, row
/// by row, then those of stride 16, then 32. For the cell at row r, column c of stride s:
///
///     score    = sqrt(clamp01(cls) * clamp01(obj))
///     centre   = ((c + bbox0) s, (r + bbox1) s),  size (exp(bbox2) s, exp(bbox3) s)
///     landmark k = ((kps[2k] + c) s, (kps[2k+1] + r) s)
///
/// Cells scoring at least the threshold become candidates; `YuNetSuppression` removes overlaps.
public enum YuNetDecoder {
    /// The strides of the three maps, in output order.
    public static let strides = [8, 16, 32]
    /// Floats per cell.
    public static let rowWidth = 16
    /// Height and width of the network's input must be multiples of this.
    public static let multiple = 32

    /// Rows the output of a `width` x `height` input holds (both multiples of 32).
    public static func rowCount(width: Int, height: Int) -> Int {
        strides.reduce(0) { $0 + (height / $1) * (width / $1) }
    }

    /// The candidates in `rows` (the output for a `width` x `height` input, both multiples of
    /// 32) whose score is at least `threshold`, in output order, in input pixels.
    public static func decode(_ rows: UnsafeBufferPointer<Float>, width: Int, height: Int, threshold: Double) -> [YuNetFace] {
        precondition(width % multiple == 0 && height % multiple == 0, "\(width)x\(height) is not a multiple of \(multiple)")
        precondition(rows.count >= rowCount(width: width, height: height) * rowWidth,
                     "\(rows.count) floats are not YuNet's output for \(width)x\(height)")
        var faces: [YuNetFace] = []
        var row = rows.baseAddress!
        for stride in strides {
            let s = Double(stride)
            for r in 0..<(height / stride) {
                for c in 0..<(width / stride) {
                    defer { row += rowWidth }
                    let cls = min(max(row[0], 0), 1), obj = min(max(row[1], 0), 1)
                    let score = Double((cls * obj).squareRoot())
                    guard score >= threshold else { continue }
                    let (cx, cy) = ((Double(c) + Double(row[2])) * s, (Double(r) + Double(row[3])) * s)
                    let (w, h) = (exp(Double(row[4])) * s, exp(Double(row[5])) * s)
                    let landmarks = (0..<5).map { k in
                        FacePoint(x: (Double(row[6 + 2 * k]) + Double(c)) * s, y: (Double(row[7 + 2 * k]) + Double(r)) * s)
                    }
                    faces.append(YuNetFace(x: cx - w / 2, y: cy - h / 2, width: w, height: h, score: score, landmarks: landmarks))
                }
            }
        }
        return faces
    }
}
