/// One readable line per frame:
///
///     frame 12 t=0.400s: #1 happy 0.93 [120,80,96,96]; #2 neutral 0.61 [300,90,80,80]
///     frame 13 t=0.433s: no faces
///     frame 0 t=0.000s photos/a.jpg: #1 sad 0.70 [40,30,90,90]
///
/// `#n` is the tracker's face id (absent for untracked results); image frames name their file.
public final class HeadlessTextSink: FrameSink {
    private let output: LineOutput

    public init(output: LineOutput = StandardOutput()) {
        self.output = output
    }

    public func consume(_ result: FrameResult, frame: Frame) throws -> Bool {
        try output.writeLine(Self.line(for: result))
        return true
    }

    public static func line(for result: FrameResult) -> String {
        let time = NumberFormat.fixed(result.time, 3)
        let faces = result.faces.isEmpty
            ? "no faces"
            : result.faces.map { "\($0.id.map { "#\($0) " } ?? "")\($0.label) \(NumberFormat.fixed(Double($0.confidence), 2)) \($0.box)" }
                .joined(separator: "; ")
        return "frame \(result.frameIndex) t=\(time)s\(result.source.map { " " + $0 } ?? ""): \(faces)"
    }
}
