@testable import EmotionPipeline
import XCTest

/// The one argmax: the first of equal largest values (numpy's), and a label past the end of
/// the labels named by its index.
final class PredictionTests: XCTestCase {
    func testTheFirstOfEqualLargestValuesWins() {
        XCTAssertEqual(Prediction.argmax([0.1, 0.7, 0.7, 0.2]), 1)
        XCTAssertEqual(Prediction.argmax([]), 0)
        let best = Prediction(probabilities: [0.2, 0.5, 0.3], labels: ["angry", "happy", "sad"])
        XCTAssertEqual(best, Prediction(probabilities: [0.2, 0.5, 0.3], labels: ["angry", "happy", "sad"]))
        XCTAssertEqual(best.index, 1)
        XCTAssertEqual(best.label, "happy")
        XCTAssertEqual(best.confidence, 0.5)
    }

    func testAnOutputWithoutALabelIsNamedByItsIndex() {
        let best = Prediction(probabilities: [0.1, 0.2, 0.7], labels: ["angry", "happy"])
        XCTAssertEqual(best.label, "class2")
        XCTAssertEqual(Prediction(probabilities: [], labels: ["angry"]).confidence, 0)
        // A face's result picks the same way.
        let face = FaceResult(box: FaceBox(x: 0, y: 0, width: 1, height: 1), probabilities: [0.1, 0.2, 0.7], labels: ["angry", "happy"])
        XCTAssertEqual(face.label, "class2")
        XCTAssertEqual(face.confidence, 0.7)
    }
}
