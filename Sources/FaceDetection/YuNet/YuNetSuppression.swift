/// Greedy non-maximum suppression, as OpenCV's `dnn::NMSBoxes` does it for FaceDetectorYN (and
/// training/detectors/yunet_reference.py `nms`): best score first (ties in the candidates' order), a
/// candidate goes when it overlaps a face already kept by more than the threshold (IoU).
public enum YuNetSuppression {
    /// FaceDetectorYN's default.
    public static let defaultThreshold = 0.3

    /// The faces kept, best first.
    public static func suppress(_ candidates: [YuNetFace], threshold: Double = defaultThreshold) -> [YuNetFace] {
        let order = candidates.indices.sorted { a, b in
            candidates[a].score != candidates[b].score ? candidates[a].score > candidates[b].score : a < b
        }
        var kept: [YuNetFace] = []
        for index in order {
            let face = candidates[index]
            if !kept.contains(where: { $0.intersectionOverUnion(face) > threshold }) { kept.append(face) }
        }
        return kept
    }
}
