import EmotionPipeline
import XCTest

/// Metrics against values worked out by hand (and checked with scikit-learn's
/// classification_report on the same confusion matrix).
final class ClassificationReportTests: XCTestCase {
    func testMetricsFromAKnownConfusionMatrix() {
        var report = ClassificationReport(labels: ["a", "b", "c"])
        // true a: 3 right, 1 as b; true b: 2 right, 2 as c; true c: 1 right.
        for _ in 0..<3 { report.record(trueClass: 0, predictedClass: 0) }
        report.record(trueClass: 0, predictedClass: 1)
        for _ in 0..<2 { report.record(trueClass: 1, predictedClass: 1) }
        for _ in 0..<2 { report.record(trueClass: 1, predictedClass: 2) }
        report.record(trueClass: 2, predictedClass: 2)

        XCTAssertEqual(report.n, 9)
        XCTAssertEqual(report.confusion, [[3, 1, 0], [0, 2, 2], [0, 0, 1]])
        XCTAssertEqual(report.accuracy, 6.0 / 9.0, accuracy: 1e-12)
        let metrics = report.perClass
        XCTAssertEqual(metrics[0].precision, 1.0, accuracy: 1e-12)
        XCTAssertEqual(metrics[0].recall, 0.75, accuracy: 1e-12)
        XCTAssertEqual(metrics[1].precision, 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(metrics[1].recall, 0.5, accuracy: 1e-12)
        XCTAssertEqual(metrics[2].precision, 1.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(metrics[2].f1, 0.5, accuracy: 1e-12)
        let expectedMacro = (2 * 0.75 / 1.75 + 2 * (2.0 / 3.0 * 0.5) / (2.0 / 3.0 + 0.5) + 0.5) / 3
        XCTAssertEqual(report.macroF1, expectedMacro, accuracy: 1e-12)
        XCTAssertEqual(metrics.map(\.support), [4, 4, 1])
    }

    func testJSONHasTheDocumentedKeys() {
        var report = ClassificationReport(labels: ["x", "y"])
        report.record(trueClass: 1, predictedClass: 0)
        let object = report.jsonObject()
        XCTAssertEqual(Set(object.keys), ["accuracy", "macro_f1", "labels", "per_class", "confusion", "n"])
        XCTAssertEqual(object["n"] as? Int, 1)
        XCTAssertEqual(object["confusion"] as? [[Int]], [[0, 0], [1, 0]])
    }

    func testEvaluatorMapsLabelsByMeaning() throws {
        XCTAssertThrowsError(try FER2013Evaluator(labels: ["class0", "class1"], model: "m.h5")) { error in
            XCTAssertTrue("\(error)".contains("no output is labelled with an emotion"), "\(error)")
        }
    }
}
