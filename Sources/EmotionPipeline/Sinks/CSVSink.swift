import FoundationEssentials

/// One CSV row per face, after a header row:
///
///     frame,time,face,x,y,w,h,label,confidence,angry,disgusted,fearful,happy,neutral,sad,surprised
///     12,0.4,1,120,80,96,96,happy,0.93,0.01,0.0,...
///
/// `face` is the tracker's id (empty when untracked), the probability columns follow the
/// model's label order, and a frame without faces leaves no row. Fields that need it are
/// quoted (RFC 4180). With `landmarks` (`--csv-landmarks`), ten columns follow: the five
/// landmarks' x and y (left eye, right eye, nose, left and right mouth corner), one decimal,
/// empty for a face without them.
public final class CSVSink: FrameSink {
    public let labels: [String]
    public let landmarks: Bool
    private let output: LineOutput
    private var wroteHeader = false

    public static let landmarkColumns = ["left_eye", "right_eye", "nose", "mouth_left", "mouth_right"]
        .flatMap { [$0 + "_x", $0 + "_y"] }

    public init(labels: [String], output: LineOutput = StandardOutput(), landmarks: Bool = false) {
        self.labels = labels
        self.output = output
        self.landmarks = landmarks
    }

    public static func header(labels: [String], landmarks: Bool = false) -> String {
        (["frame", "time", "face", "x", "y", "w", "h", "label", "confidence"] + labels + (landmarks ? landmarkColumns : []))
            .map(field).joined(separator: ",")
    }

    public func begin(source: SourceInfo) throws {
        try writeHeader()
    }

    public func consume(_ result: FrameResult, frame: Frame) throws -> Bool {
        try writeHeader()
        for line in Self.rows(for: result, landmarks: landmarks) { try output.writeLine(line) }
        return true
    }

    public static func rows(for result: FrameResult, landmarks: Bool = false) -> [String] {
        result.faces.map { face in
            var fields = [String(result.frameIndex), NumberFormat.decimal(result.time), face.id.map(String.init) ?? "",
                          String(face.box.x), String(face.box.y), String(face.box.width), String(face.box.height),
                          field(face.label), NumberFormat.decimal(Double(face.confidence))]
            fields += face.probabilities.map { NumberFormat.decimal(Double($0)) }
            if landmarks {
                fields += face.landmarks.map { points in
                    points.prefix(5).flatMap { [NumberFormat.decimal($0.x, decimals: 1), NumberFormat.decimal($0.y, decimals: 1)] }
                } ?? [String](repeating: "", count: 10)
            }
            return fields.joined(separator: ",")
        }
    }

    private func writeHeader() throws {
        guard !wroteHeader else { return }
        wroteHeader = true
        try output.writeLine(Self.header(labels: labels, landmarks: landmarks))
    }

    /// `text` quoted when it holds a comma, a quote or a line break.
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }
}
