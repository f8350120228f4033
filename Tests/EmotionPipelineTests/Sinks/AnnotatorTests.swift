@testable import EmotionPipeline
import TestSupport
import XCTest

/// Drawing checked on pixels: boxes land where the results say, mirrored when the view is.
final class AnnotatorTests: XCTestCase {
    private func pixel(_ image: Image, _ x: Int, _ y: Int) -> [UInt8] {
        let bytes = image.bytes
        let i = (y * image.width + x) * image.channels
        return Array(bytes[i..<(i + image.channels)])
    }

    private let happy = FaceResult(box: FaceBox(x: 20, y: 60, width: 50, height: 50), label: "happy", confidence: 0.9,
                                   probabilities: [0, 0, 0, 0.9, 0.1, 0, 0])

    func testBoxAndTagAreDrawnInTheLabelsColour() throws {
        let image = try Fixtures.flatImage(width: 200, height: 150, level: 0)
        try Annotator().annotate(image, with: FrameResult(frameIndex: 0, time: 0, faces: [happy]))
        let green = Annotator.colour(for: "happy")
        XCTAssertEqual(pixel(image, 20, 85), [green.blue, green.green, green.red], "left edge of the box")
        XCTAssertEqual(pixel(image, 45, 85), [0, 0, 0], "inside the box stays untouched")
        XCTAssertEqual(pixel(image, 21, 58), [green.blue, green.green, green.red], "tag above the box")
        XCTAssertEqual(pixel(image, 150, 85), [0, 0, 0], "right of the face")
    }

    func testMirroredViewMirrorsTheBoxes() throws {
        let image = try Fixtures.flatImage(width: 200, height: 150, level: 0)
        try Annotator(mirrored: true).annotate(image, with: FrameResult(frameIndex: 0, time: 0, faces: [happy]))
        let green = Annotator.colour(for: "happy")
        XCTAssertEqual(pixel(image, 179, 85), [green.blue, green.green, green.red], "right edge of the mirrored box (200-20-1)")
        XCTAssertEqual(pixel(image, 20, 85), [0, 0, 0], "nothing at the unmirrored place")
    }

    /// A face at the top edge gets its tag inside the box; nothing is drawn outside the image.
    func testTagMovesInsideAtTheTopEdge() throws {
        let image = try Fixtures.flatImage(width: 120, height: 100, level: 0)
        let top = FaceResult(box: FaceBox(x: 10, y: 0, width: 60, height: 60), probabilities: [1, 0, 0, 0, 0, 0, 0],
                             labels: EmotionLabel.canonicalOrder.map(\.rawValue))
        try Annotator().annotate(image, with: FrameResult(frameIndex: 0, time: 0, faces: [top]))
        let red = Annotator.colour(for: "angry")
        XCTAssertEqual(pixel(image, 12, 3), [red.blue, red.green, red.red])
    }

    func testEveryCanonicalLabelHasItsOwnColour() {
        let colours = EmotionLabel.ferPlusOrder.map { Annotator.colour(for: $0.rawValue) }
        XCTAssertEqual(Set(colours.map { "\($0.red),\($0.green),\($0.blue)" }).count, 8, "contempt included")
        XCTAssertNotEqual(Annotator.colour(for: "contempt"), Annotator.colour(for: "unknown"))
        XCTAssertEqual(Annotator.colour(for: "disgust"), Annotator.colour(for: "disgusted"))
    }
}
