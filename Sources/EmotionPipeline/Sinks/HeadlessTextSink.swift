/// One readable line per frame:
///
///     frame 12 t=0.400s: happy 0.93 [120,80,96,96]; neutral 0.61 [300,90,80,80]
///     frame 13 t=0.433s: no faces
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
        let time = String(format: "%.3f", result.time)
        let faces = result.faces.isEmpty
            ? "no faces"
            : result.faces.map { "\($0.label) \(String(format: "%.2f", $0.confidence)) \($0.box)" }
                .joined(separator: "; ")
        return "frame \(result.frameIndex) t=\(time)s: \(faces)"
    }
}
