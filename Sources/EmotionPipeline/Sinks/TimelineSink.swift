import FaceDetection
import FoundationEssentials
import Glibc

/// A plot of each face's emotion probabilities over the run, drawn with OpenCV and written as
/// an image (PNG) when the run succeeds: one panel per face id (the `maxPanels` seen longest,
/// in id order), one line per label in the label's colour (`Annotator.colour`), a legend, and
/// a shared time axis in seconds. A line breaks where its face was not seen for more than
/// `gapSeconds`. For stills (every frame at time 0) the axis counts images instead.
///
/// Memory is bounded whatever the run's length: each face's samples are thinned to at most
/// `pointsPerFace` points (`TimelineSeries`), and at most `maxFaces` faces are kept: when a new
/// face would exceed that, the one seen in the fewest frames is dropped (it could not have been
/// one of the `maxPanels` drawn unless it came back for longer than the others).
public final class TimelineSink: FileWritingSink {
    public let file: OutputFile
    public let labels: [String]
    public var width = 1200
    public var panelHeight = 130
    public var maxPanels = 8
    public var gapSeconds = 0.5
    public var pointsPerFace = 1024
    public var maxFaces = 64
    /// Per face id, its probabilities over time.
    private(set) var series: [Int: TimelineSeries] = [:]
    private var lastTime = 0.0
    private var lastFrame = 0

    public static let extensions: Set<String> = ["png", "jpg", "jpeg", "bmp"]

    /// Checks the path (extension, writable directory) before the run starts.
    public init(path: String, labels: [String]) throws {
        guard Self.extensions.contains(PathText.pathExtension(path).lowercased()) else {
            throw PipelineError.outputFileFailed(path: path, reason: "the extension must be .png (or .jpg, .bmp)")
        }
        file = try OutputFile(path: path)
        self.labels = labels
    }

    public func consume(_ result: FrameResult, frame: Frame) throws -> Bool {
        lastTime = max(lastTime, result.time)
        lastFrame = max(lastFrame, result.frameIndex)
        for (n, face) in result.faces.enumerated() where face.probabilities.count == labels.count {
            let id = face.id ?? -(n + 1)
            if series[id] == nil, series.count >= maxFaces,
               let least = series.min(by: { ($0.value.frameCount, $0.key) < ($1.value.frameCount, $1.key) }) {
                series[least.key] = nil
            }
            series[id, default: TimelineSeries(capacity: pointsPerFace, gapSeconds: gapSeconds)]
                .append(time: result.time, frame: result.frameIndex, probabilities: face.probabilities)
        }
        return true
    }

    public func commit() throws {
        let image = try render()
        do {
            try image.write(to: file.temporaryPath)
        } catch let error as OpenCVError {
            throw PipelineError.outputFileFailed(path: file.path, reason: error.message)
        }
        try file.commit()
    }

    public func discard() { file.discard() }

    /// The plot as an image.
    public func render() throws -> Image {
        let byTime = lastTime > 0
        let span = byTime ? lastTime : Double(max(1, lastFrame))
        // The faces seen longest (the lower id first among equals), drawn in id order.
        let panels = series.sorted { ($0.value.frameCount, -$0.key) > ($1.value.frameCount, -$1.key) }
            .prefix(maxPanels).sorted { $0.key < $1.key }
        let left = 56, right = 16, header = 44, panelGap = 26, footer = 40
        let plotWidth = width - left - right
        let height = header + max(1, panels.count) * (panelHeight + panelGap) + footer
        let image = try Image(bytes: [UInt8](repeating: 255, count: width * height * 3), width: width, height: height, channels: 3)
        let grid = Colour(red: 225, green: 225, blue: 225), axis = Colour(red: 90, green: 90, blue: 90)
        let font = 0.45

        // Legend: a swatch and the name of each label, across the top.
        var x = left
        try image.drawText("emotion probabilities over time", x: left, y: 18, fontScale: 0.55, colour: .black, thickness: 1)
        for label in labels {
            let colour = Annotator.colour(for: label) == .white ? axis : Annotator.colour(for: label)
            try image.fillRectangle(FaceBox(x: x, y: 28, width: 18, height: 8), colour: colour)
            try image.drawText(label, x: x + 22, y: 37, fontScale: font, colour: .black, thickness: 1)
            x += 30 + (try Image.textSize(label, fontScale: font).width) + 12
        }

        let step = Self.tickStep(span: span, maxTicks: 12)
        func xPosition(_ value: Double) -> Int { left + Int((value / span * Double(plotWidth)).rounded()) }
        if panels.isEmpty {
            try image.drawText("no faces", x: left + plotWidth / 2 - 30, y: header + panelGap + panelHeight / 2,
                               fontScale: 0.6, colour: axis, thickness: 1)
        }
        for (row, (id, face)) in panels.enumerated() {
            let top = header + panelGap + row * (panelHeight + panelGap)
            let bottom = top + panelHeight
            let points = face.points
            let seen = byTime ? "\(NumberFormat.fixed(face.firstTime, 1))-\(NumberFormat.fixed(face.lastTime, 1)) s" : "\(face.frameCount) images"
            let title = id > 0 ? "face \(id)  (\(face.frameCount) frames, \(seen))" : "face (untracked)"
            try image.drawText(title, x: left, y: top - 7, fontScale: font, colour: .black, thickness: 1)
            for fraction in [0.0, 0.5, 1.0] {
                let y = bottom - Int((fraction * Double(panelHeight)).rounded())
                try image.drawLine(x0: left, y0: y, x1: left + plotWidth, y1: y, colour: grid)
                try image.drawText(NumberFormat.fixed(fraction, 1), x: left - 30, y: y + 5, fontScale: 0.4, colour: axis)
            }
            var tick = 0.0
            while tick <= span + 1e-9 {
                try image.drawLine(x0: xPosition(tick), y0: top, x1: xPosition(tick), y1: bottom, colour: grid)
                tick += step
            }
            try image.drawRectangle(FaceBox(x: left, y: top, width: plotWidth + 1, height: panelHeight + 1), colour: axis, thickness: 1)
            for (k, label) in labels.enumerated() {
                let colour = Annotator.colour(for: label) == .white ? axis : Annotator.colour(for: label)
                var previous: (x: Int, y: Int, point: TimelineSeries.Point)?
                for point in points {
                    let px = xPosition(byTime ? point.time : point.frame)
                    let py = bottom - Int((Double(max(0, min(1, point.probabilities[k]))) * Double(panelHeight)).rounded())
                    if let previous {
                        if !TimelineSeries.isGap(from: previous.point, to: point, gapSeconds: gapSeconds) {
                            try image.drawLine(x0: previous.x, y0: previous.y, x1: px, y1: py, colour: colour, thickness: 2)
                        }
                    } else if points.count == 1 {
                        try image.fillRectangle(FaceBox(x: px - 2, y: py - 2, width: 5, height: 5), colour: colour)
                    }
                    previous = (px, py, point)
                }
            }
        }
        // Time axis under the last panel.
        let axisY = header + max(1, panels.count) * (panelHeight + panelGap) + 4
        var tick = 0.0
        while tick <= span + 1e-9 {
            let text = step < 1 ? NumberFormat.fixed(tick, 1) : String(Int(tick.rounded()))
            let size = try Image.textSize(text, fontScale: 0.4)
            try image.drawText(text, x: xPosition(tick) - size.width / 2, y: axisY + 14, fontScale: 0.4, colour: axis)
            tick += step
        }
        let unit = byTime ? "time (s)" : "image"
        try image.drawText(unit, x: left + plotWidth / 2 - 30, y: axisY + 32, fontScale: font, colour: .black)
        return image
    }

    /// A round step (1, 2 or 5 times a power of ten) giving at most `maxTicks` ticks over `span`.
    static func tickStep(span: Double, maxTicks: Int) -> Double {
        var magnitude = pow(10, floor(log10(max(span, 1e-9) / Double(maxTicks))))
        while true {
            for factor in [1.0, 2.0, 5.0] where span / (factor * magnitude) <= Double(maxTicks) {
                return factor * magnitude
            }
            magnitude *= 10
        }
    }
}
