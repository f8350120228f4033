@testable import EmotionPipeline
import Foundation
import KerasEngine
import TestSupport
import XCTest

/// The classifier over the real engine, with the original project's model from ../shared.
final class EmotionClassifierTests: XCTestCase {
    private func seedClassifier(flipAverage: Bool = false, maxBatch: Int = 16) throws -> EmotionClassifier {
        let path = try Fixtures.shared("models/seed-cnn.h5")
        let metadata = ModelMetadata(labels: EmotionLabel.canonicalOrder.map(\.rawValue), inputScale: .unit, flipAverage: flipAverage)
        return try EmotionClassifier(modelPath: path, metadata: metadata, maxBatch: maxBatch)
    }

    /// Random faces: probabilities sum to 1, and a batch gives what the faces give one by one
    /// (tolerance 1e-5: batched kernels may sum in another order).
    func testBatchesMatchSingleFaces() throws {
        let classifier = try seedClassifier(maxBatch: 2)
        XCTAssertEqual([classifier.inputHeight, classifier.inputWidth, classifier.inputChannels], [48, 48, 3])
        let perFace = 48 * 48 * 3
        var state: UInt32 = 7
        let faces = (0..<(5 * perFace)).map { _ -> Float in
            state = state &* 1_664_525 &+ 1_013_904_223
            return Float(state >> 24) / 255
        }
        let batched = try faces.withUnsafeBufferPointer { try classifier.classify($0, count: 5) }
        XCTAssertEqual(batched.count, 5)
        for face in 0..<5 {
            XCTAssertEqual(batched[face].reduce(0, +), 1, accuracy: 1e-4)
            let single = try Array(faces[(face * perFace)..<((face + 1) * perFace)]).withUnsafeBufferPointer {
                try classifier.classify($0, count: 1)
            }
            for (a, b) in zip(batched[face], single[0]) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        }
    }

    /// With flip averaging a face and its mirror image get the same probabilities.
    func testFlipAveragingIsMirrorSymmetric() throws {
        let classifier = try seedClassifier(flipAverage: true)
        let image = try Fixtures.greyImage(width: 48, height: 48) { x, y in UInt8((x * x + 3 * y) % 256) }
        let mirrored = try image.copy()
        try mirrored.flipHorizontally()
        let preprocessor = classifier.makePreprocessor(margins: .none)
        let box = FaceBox(x: 0, y: 0, width: 48, height: 48)
        let input = try preprocessor.preprocess(face: box, in: image) + preprocessor.preprocess(face: box, in: mirrored)
        let result = try input.withUnsafeBufferPointer { try classifier.classify($0, count: 2) }
        for (a, b) in zip(result[0], result[1]) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    }

    func testMissingModelNamesTheFile() {
        XCTAssertThrowsError(try EmotionClassifier(modelPath: "/nonexistent/model.h5")) { error in
            guard case .modelUnreadable(let path, _)? = error as? PipelineError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "/nonexistent/model.h5")
            XCTAssertTrue("\(error)".hasPrefix("/nonexistent/model.h5: "))
        }
    }

    func testLabelCountMustMatchTheOutputs() throws {
        let path = try Fixtures.shared("models/seed-cnn.h5")
        XCTAssertThrowsError(try EmotionClassifier(modelPath: path, metadata: ModelMetadata(labels: ["a", "b"], inputScale: .unit))) { error in
            XCTAssertEqual(error as? PipelineError, .modelIncompatible(path: path, reason: "7 outputs but 2 labels"))
        }
    }
}
