import Foundation
import XCTest
import KerasEngine

/// Runs every reference in Fixtures/ (tiny layer-zoo models written by Keras 3.15 with
/// training/fixtures/make_fixtures.py, see Fixtures/README.md; plus the bundled model's reference) and
/// compares the engine with Keras's `predict`. Tolerance per value: 1e-4 absolute plus 1e-5
/// relative (a few fixtures, e.g. `exponential`, produce large values).
final class FixtureTests: XCTestCase {
    static let absoluteTolerance: Float = 1e-4
    static let relativeTolerance: Float = 1e-5

    /// `<name>.json` files in Fixtures/ with the model each names: beside it, or in models/.
    func references() throws -> [(reference: String, model: String)] {
        let directory = TestPaths.fixtures.path
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw XCTSkip("\(directory) absent: no Keras fixtures generated yet")
        }
        var pairs: [(String, String)] = []
        for name in names.sorted() where name.hasSuffix(".json") {
            let path = directory + "/" + name
            let reference = try ReferenceFile(path: path)
            let candidates = [directory + "/" + reference.model,
                              TestPaths.packageRoot.appendingPathComponent("models").appendingPathComponent(reference.model).path]
            guard let model = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                XCTFail("\(name): model \(reference.model) not found in Fixtures/ or models/")
                continue
            }
            pairs.append((path, model))
        }
        if pairs.isEmpty { throw XCTSkip("\(directory) holds no references yet") }
        return pairs
    }

    func testEveryFixtureMatchesKeras() throws {
        var summary: [String] = []
        for (referencePath, modelPath) in try references() {
            let label = URL(fileURLWithPath: referencePath).lastPathComponent
            let reference = try ReferenceFile(path: referencePath)
            let model: KerasModel
            do {
                model = try KerasModel.load(path: modelPath)
            } catch {
                XCTFail("\(label): \(error)")
                continue
            }
            XCTAssertEqual(model.inputShape, reference.inputShape, "\(label): input shape")
            let session = model.makeSession(maxBatch: 2)
            var worst: Float = 0
            for testCase in reference.cases {
                guard testCase.input.count == model.inputCount else {
                    XCTFail("\(label) \(testCase.name): input has \(testCase.input.count) values, the model takes \(model.inputCount)")
                    continue
                }
                let output = session.predict(testCase.input, batch: 1)
                XCTAssertEqual(output.count, testCase.output.count, "\(label) \(testCase.name): output size")
                for (index, (got, want)) in zip(output, testCase.output).enumerated() {
                    let diff = abs(got - want)
                    worst = max(worst, diff.isNaN ? .infinity : diff)
                    if !(diff <= Self.absoluteTolerance + Self.relativeTolerance * abs(want)) {
                        XCTFail("\(label) \(testCase.name): output[\(index)] = \(got), Keras \(want)")
                        break
                    }
                }
            }
            summary.append("\(label): \(reference.cases.count) cases, max abs diff \(worst)")
        }
        print(summary.joined(separator: "\n"))
    }
}
