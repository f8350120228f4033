import EmotionPipeline
import Foundation
import XCTest

final class ModelMetadataTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("meta-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func testLabelSpellingsMapToCanonicalEmotions() {
        XCTAssertEqual(EmotionLabel(spelling: "Disgust"), .disgusted)
        XCTAssertEqual(EmotionLabel(spelling: "fear"), .fearful)
        XCTAssertEqual(EmotionLabel(spelling: "surprise"), .surprised)
        XCTAssertEqual(EmotionLabel(spelling: "Contempt"), .contempt, "FER+'s eighth emotion")
        XCTAssertNil(EmotionLabel(spelling: "unknown"))
        XCTAssertEqual((0...6).compactMap(EmotionLabel.init(fer2013Code:)),
                       [.angry, .disgusted, .fearful, .happy, .sad, .surprised, .neutral])
        XCTAssertNil(EmotionLabel(fer2013Code: 7))
    }

    func testScalingsMatchTheirDefinitions() {
        for (scale, pixel, expected) in [(InputScale.unit, 255, 1.0), (.unit, 51, 0.2), (.signed, 0, -1.0),
                                         (.signed, 255, 1.0), (.raw, 17, 17.0)] as [(InputScale, Int, Double)] {
            let (a, b) = scale.scaleAndOffset
            XCTAssertEqual(Double(Float(pixel) * a + b), expected, accuracy: 1e-6, "\(scale) of \(pixel)")
        }
    }

    func testSidecarIsFoundBesideTheModelAndFlagsOverrideIt() throws {
        let model = directory.appendingPathComponent("net.h5").path
        XCTAssertEqual(ModelMetadata.sidecarPath(forModel: model), directory.appendingPathComponent("net.meta.json").path)

        let defaults = try ModelMetadata.resolve(modelPath: model, classCount: 7)
        XCTAssertEqual(defaults.labels, EmotionLabel.canonicalOrder.map(\.rawValue))
        XCTAssertEqual(try ModelMetadata.resolve(modelPath: model, classCount: 8).labels,
                       ["angry", "contempt", "disgusted", "fearful", "happy", "neutral", "sad", "surprised"])
        XCTAssertEqual(defaults.inputScale, .unit)
        XCTAssertEqual(defaults.origin, "defaults")

        try """
        {"format": "emotion-live-model", "version": 1, "labels": ["a", "b", "c"], "input_scale": "signed", "flip_average": true}
        """.write(toFile: ModelMetadata.sidecarPath(forModel: model), atomically: true, encoding: .utf8)
        let sidecar = try ModelMetadata.resolve(modelPath: model, classCount: 3)
        XCTAssertEqual(sidecar.labels, ["a", "b", "c"])
        XCTAssertEqual(sidecar.inputScale, .signed)
        XCTAssertTrue(sidecar.flipAverage)

        let flags = try ModelMetadata.resolve(modelPath: model, classCount: 3, labels: ["x", "y", "z"], inputScale: .raw)
        XCTAssertEqual(flags.labels, ["x", "y", "z"])
        XCTAssertEqual(flags.inputScale, .raw)
        XCTAssertTrue(flags.origin.hasSuffix("+ flags"))

        XCTAssertThrowsError(try ModelMetadata.resolve(modelPath: model, classCount: 7)) { error in
            XCTAssertTrue("\(error)".contains("7 outputs but 3 labels"), "\(error)")
        }
    }

    func testMalformedSidecarsAreNamed() throws {
        let path = directory.appendingPathComponent("bad.meta.json").path
        for (text, expected) in [("not json", "not a JSON object"), ("{\"labels\": 3}", "\"labels\""),
                                 ("{\"labels\": [\"a\"], \"input_scale\": \"half\"}", "\"input_scale\"")] {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try ModelMetadata.load(sidecar: path)) { error in
                XCTAssertTrue("\(error)".hasPrefix(path) && "\(error)".contains(expected), "\(error)")
            }
        }
    }

    func testBundledModelCandidatesCoverBuildAndInstallLayouts() {
        let candidates = BundledModel.candidates(
            executablePath: "/opt/el/bin/emotion-live", environment: ["EMOTION_LIVE_MODEL": "/x/m.h5"])
        XCTAssertEqual(candidates.first, "/x/m.h5")
        XCTAssertTrue(candidates.contains("/opt/el/share/emotion-live/emotion-cnn.h5"))
        XCTAssertTrue(candidates.contains("/opt/el/models/emotion-cnn.h5"))
        let inBuild = BundledModel.candidates(executablePath: "/src/repo/.build/release/emotion-live", environment: [:])
        XCTAssertTrue(inBuild.contains("/src/repo/models/emotion-cnn.h5"))
    }
}
