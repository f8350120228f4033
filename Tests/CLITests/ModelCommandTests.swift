import Foundation
import XCTest

/// `inspect`, `infer` and `evaluate` end to end, through the binary.
final class ModelCommandTests: XCTestCase {
    // MARK: inspect

    func testInspectShowsAKerasStyleSummaryOfTheBundledModel() throws {
        let result = try CLI.run(["inspect", CLI.bundledModel])
        XCTAssertEqual(result.status, 0, result.stderr)
        for expected in ["Layer (type)", "Output Shape", "Param #", "Total params:", "Input shape: (None, 48, 48, 1)",
                         "Written by Keras 3", "FLOPs per inference:", "Labels: " + CLI.bundledLabels.joined(separator: ", "),
                         "Input scale: unit", "Metadata from: sidecar"] {
            XCTAssertTrue(result.stdout.contains(expected), "missing \(expected) in:\n\(result.stdout)")
        }
    }

    func testInspectJSONAgreesWithTheSidecar() throws {
        let result = try CLI.run(["inspect", CLI.bundledModel, "--format", "json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try CLI.json(result.stdout)
        XCTAssertEqual(object["input_shape"] as? [Int], [48, 48, 1])
        XCTAssertEqual(object["output_shape"] as? [Int], [CLI.bundledLabels.count])
        XCTAssertEqual(CLI.bundledLabels.count, 8, "FER+'s eight emotions, contempt included")
        let layers = try XCTUnwrap(object["layers"] as? [[String: Any]])
        let total = layers.compactMap { $0["params"] as? Int }.reduce(0, +)
        XCTAssertEqual(object["total_params"] as? Int, total, "total_params is the sum over layers")
        XCTAssertGreaterThan(object["flops"] as? Int ?? 0, 1_000_000)
        let metadata = try XCTUnwrap(object["metadata"] as? [String: Any])
        XCTAssertEqual(metadata["input_scale"] as? String, "unit")
    }

    func testInspectOfTheSeedModelMatchesKerasParameterCount() throws {
        let seed = try CLI.sharedFile("models/seed-cnn.h5")
        let result = try CLI.run(["inspect", seed, "--format", "json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try CLI.json(result.stdout)
        XCTAssertEqual(object["input_shape"] as? [Int], [48, 48, 3])
        XCTAssertEqual(object["keras_version"] as? String, "2.3.0-tf")
        // ANCHORS.md: 13.8 MFLOP per face.
        XCTAssertEqual(Double(object["flops"] as? Int ?? 0) / 1e6, 13.8, accuracy: 0.1)
    }

    func testUnreadableModelsFailWithOneLineNamingTheFile() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = directory.appendingPathComponent("empty.h5").path
        FileManager.default.createFile(atPath: empty, contents: Data())
        let text = directory.appendingPathComponent("text.h5").path
        try "not a model".write(toFile: text, atomically: true, encoding: .utf8)
        for path in [empty, text, directory.path, directory.appendingPathComponent("absent.h5").path] {
            assertCleanFailure(try CLI.run(["inspect", path]), naming: path)
        }
        assertCleanFailure(try CLI.run(["evaluate", "--model", text, "--data", text]), naming: text)
    }

    func testUsageErrorsExitWith64() throws {
        let result = try CLI.run(["inspect"])
        XCTAssertEqual(result.status, 64, result.stderr)
        XCTAssertEqual(try CLI.run(["bench", "--threads", "0"]).status, 64)
        // One --format type for every command; each refuses, by name, what it does not write.
        for (arguments, accepted) in [(["inspect", CLI.bundledModel, "--format", "csv"], "text or json"),
                                      (["infer", CLI.bundledModel, "x.npy", "--format", "json"], "jsonl or text"),
                                      (["bench", "--format", "jsonl"], "text or json"),
                                      (["--headless", "x.png", "--format", "json"], "text, jsonl or csv")] {
            let refused = try CLI.run(arguments)
            XCTAssertEqual(refused.status, 64, refused.stderr)
            XCTAssert(refused.stderr.contains("does not apply here; use \(accepted)"), refused.stderr)
        }
    }

    // MARK: bench

    func testBenchJSONReportsTheContractKeysAndPerLayerTimes() throws {
        let result = try CLI.run(["bench", "--model", CLI.bundledModel, "--batch", "2", "--seconds", "0.2", "--layers", "--format", "json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try CLI.json(result.stdout)
        XCTAssertEqual(object["batch"] as? Int, 2)
        XCTAssertEqual(object["threads"] as? Int, 1)
        XCTAssertEqual(object["model"] as? String, CLI.bundledModel)
        let msPerFace = try XCTUnwrap(object["ms_per_face"] as? Double)
        XCTAssertGreaterThan(msPerFace, 0)
        XCTAssertGreaterThan(object["gflops"] as? Double ?? 0, 0)
        // Every computing layer of the bundled model appears once, with a positive time; Dropout
        // and Flatten cost nothing and are left out.
        let layers = try XCTUnwrap(object["layers"] as? [[String: Any]])
        let classes = layers.compactMap { $0["class"] as? String }
        XCTAssertEqual(classes.count, layers.count)
        XCTAssertTrue(classes.contains("Conv2D") && classes.contains("Dense"), "\(classes)")
        XCTAssertFalse(classes.contains("Dropout") || classes.contains("Flatten"), "\(classes)")
        XCTAssertEqual(Set(layers.compactMap { $0["name"] as? String }).count, layers.count)
        XCTAssertTrue(layers.allSatisfy { ($0["ms_per_face"] as? Double ?? -1) >= 0 })
        XCTAssertGreaterThan(layers.compactMap { $0["ms_per_face"] as? Double }.reduce(0, +), 0)
    }

    // MARK: infer

    /// Writes `cases` as a float32 (N, H, W, C) .npy file.
    private func writeNPY(_ inputs: [[Float]], shape: [Int], to url: URL) throws {
        let dims = ([inputs.count] + shape).map(String.init).joined(separator: ", ")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(dims)), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)])
        data.append(contentsOf: Array(header.utf8))
        for input in inputs { input.withUnsafeBufferPointer { data.append(Data(buffer: $0)) } }
        try data.write(to: url)
    }

    /// Runs `infer` on a reference file's inputs and returns the largest difference from Keras.
    private func maxInferDifference(model: String, reference: URL) throws -> (Float, Int) {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: reference)) as? [String: Any]
        let shape = try XCTUnwrap(json?["input_shape"] as? [Int])
        let cases = try XCTUnwrap(json?["cases"] as? [[String: Any]])
        let inputs = try cases.map { try XCTUnwrap($0["input"] as? [Double]).map(Float.init) }
        let expected = try cases.map { try XCTUnwrap($0["output"] as? [Double]).map(Float.init) }
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let npy = directory.appendingPathComponent("input.npy")
        try writeNPY(inputs, shape: shape, to: npy)
        let result = try CLI.run(["infer", model, npy.path, "--batch", "3"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.lines.count, cases.count, "one line per sample")
        var worst: Float = 0
        for (line, want) in zip(result.lines, expected) {
            let got = try XCTUnwrap(CLI.json(line)["probabilities"] as? [Double]).map(Float.init)
            XCTAssertEqual(got.count, want.count)
            for (a, b) in zip(got, want) { worst = max(worst, abs(a - b)) }
        }
        return (worst, cases.count)
    }

    func testInferReproducesKerasOnTheBundledModel() throws {
        // Tolerance: float32 summation order differs from TensorFlow's; 1e-5 absolute on probabilities.
        try assertBundledModelReproduces("emotion-cnn.reference.json", framework: "Keras", tolerance: 1e-5)
    }

    /// Issue 17: the bundled model is trained in PyTorch and written as the identical Keras model;
    /// the engine reading that file must give PyTorch's own outputs (same float32 tolerance).
    func testInferReproducesPyTorchOnTheBundledModel() throws {
        try assertBundledModelReproduces("emotion-cnn.pytorch.reference.json", framework: "PyTorch", tolerance: 1e-5)
    }

    /// The FER-2013-labelled model that was the default before the FER+ one, kept for users who
    /// want FER-2013's labels (`--model models/emotion-cnn-fer2013.h5`), against both frameworks.
    func testInferReproducesBothFrameworksOnTheFER2013Model() throws {
        let model = CLI.packageRoot.appendingPathComponent("models/emotion-cnn-fer2013.h5").path
        try assertBundledModelReproduces("emotion-cnn-fer2013.reference.json", framework: "Keras", tolerance: 1e-5, model: model)
        try assertBundledModelReproduces("emotion-cnn-fer2013.pytorch.reference.json", framework: "PyTorch", tolerance: 1e-5,
                                         model: model)
    }

    /// The smaller, faster model shipped beside the default (issue 17), against both frameworks.
    func testInferReproducesBothFrameworksOnTheSmallModel() throws {
        let small = CLI.packageRoot.appendingPathComponent("models/emotion-cnn-small.h5").path
        try assertBundledModelReproduces("emotion-cnn-small.reference.json", framework: "Keras", tolerance: 1e-5, model: small)
        try assertBundledModelReproduces("emotion-cnn-small.pytorch.reference.json", framework: "PyTorch", tolerance: 1e-5, model: small)
    }

    private func assertBundledModelReproduces(_ fixture: String, framework: String, tolerance: Float,
                                              model: String = CLI.bundledModel) throws {
        let reference = CLI.packageRoot.appendingPathComponent("Tests/KerasEngineTests/Fixtures/\(fixture)")
        guard FileManager.default.fileExists(atPath: reference.path) else {
            return XCTFail("the bundled model's \(framework) reference \(reference.path) is missing")
        }
        let (worst, count) = try maxInferDifference(model: model, reference: reference)
        XCTAssertLessThanOrEqual(worst, tolerance, "\(model): max |emotion-live - \(framework)| over \(count) cases")
    }

    /// Issue 2/3: every model in ../shared/models reproduces Keras through `infer`.
    func testInferReproducesKerasOnEverySharedModel() throws {
        _ = try CLI.sharedFile("reference/seed-cnn.json")
        let models = ["seed-cnn.h5": Float(1e-5), "sequential-fer2013.h5": 1e-4, "mini-xception-fer2013.hdf5": 1e-4,
                      "keras3-functional-zoo.h5": 1e-4, "keras3-sequential-zoo.h5": 1e-4,
                      "tfkeras2-functional-zoo.h5": 1e-4, "tfkeras2-sequential-zoo.h5": 1e-4]
        var failures: [String] = []
        for (file, tolerance) in models.sorted(by: { $0.key < $1.key }) {
            let stem = (file as NSString).deletingPathExtension
            let model = CLI.shared.appendingPathComponent("models/\(file)").path
            let probe = try CLI.run(["inspect", model])
            guard probe.status == 0 else {
                failures.append("\(file): does not load: \(probe.stderr.trimmingCharacters(in: .newlines))")
                continue
            }
            let (worst, count) = try maxInferDifference(model: model, reference: CLI.shared.appendingPathComponent("reference/\(stem).json"))
            print("infer \(file): max abs diff \(worst) over \(count) cases (tolerance \(tolerance))")
            if worst > tolerance { failures.append("\(file): max abs diff \(worst) > \(tolerance)") }
        }
        XCTAssertEqual(failures, [], failures.joined(separator: "\n"))
    }

    func testInferRefusesAnArrayOfTheWrongShape() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let npy = directory.appendingPathComponent("wrong.npy")
        try writeNPY([[Float](repeating: 0, count: 64 * 64)], shape: [64, 64, 1], to: npy)
        let result = try CLI.run(["infer", CLI.bundledModel, npy.path])
        assertCleanFailure(result, naming: npy.path)
        XCTAssertTrue(result.stderr.contains("expected (N, 48, 48, 1)"), result.stderr)
    }

    // MARK: evaluate

    func testEvaluateReportsConsistentMetricsOnAGeneratedCSV() throws {
        // Synthetic rows: the numbers are meaningless, the bookkeeping is not.
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var csv = "emotion,pixels,Usage\n"
        for k in 0..<70 {
            let pixels = (0..<2304).map { String(($0 * (k + 1) + k * 7) % 256) }.joined(separator: " ")
            csv += "\(k % 7),\(pixels),\(k % 2 == 0 ? "PublicTest" : "PrivateTest")\n"
        }
        csv += "3,\((0..<2304).map { _ in "0" }.joined(separator: " ")),Training\n"
        let path = directory.appendingPathComponent("fer.csv").path
        try csv.write(toFile: path, atomically: true, encoding: .utf8)

        let result = try CLI.run(["evaluate", "--data", path, "--format", "json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try CLI.json(result.stdout)
        XCTAssertEqual(object["n"] as? Int, 70, "Training rows are not part of usage test")
        let labels = try XCTUnwrap(object["labels"] as? [String])
        XCTAssertEqual(labels, CLI.bundledLabels)
        let confusion = try XCTUnwrap(object["confusion"] as? [[Int]])
        // Rows are true classes: ten of each of FER-2013's seven; none is contempt.
        XCTAssertEqual(confusion.map { $0.reduce(0, +) }, labels.map { $0 == "contempt" ? 0 : 10 }, "rows are true classes")
        let accuracy = try XCTUnwrap(object["accuracy"] as? Double)
        XCTAssertEqual(accuracy, Double(labels.indices.map { confusion[$0][$0] }.reduce(0, +)) / 70, accuracy: 1e-9)
        XCTAssertEqual(try CLI.json(try CLI.run(["evaluate", "--data", path, "--usage", "private", "--format", "json"]).stdout)["n"] as? Int, 35)

        let text = try CLI.run(["evaluate", "--data", path])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("accuracy  "), text.stdout)
        XCTAssertTrue(text.stdout.contains("confusion (rows: true, columns: predicted)"), text.stdout)

        var bad = csv
        bad += "5,1 2 3,PrivateTest\n"
        try bad.write(toFile: path, atomically: true, encoding: .utf8)
        let failure = try CLI.run(["evaluate", "--data", path])
        assertCleanFailure(failure, naming: "\(path):73")
    }

    func testEvaluateAgainstFERPlusVotesReportsTheProtocolsFigures() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var csv = "emotion,pixels,Usage\n"
        var votes = "neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF\n"
        for k in 0..<24 {
            let pixels = (0..<2304).map { String(($0 * (k + 3) + k * 11) % 256) }.joined(separator: " ")
            csv += "\(k % 7),\(pixels),\(k < 12 ? "PublicTest" : "PrivateTest")\n"
            // Every fourth row has a tie at the top (left out); the others a clear majority of
            // each of the eight emotions in turn, contempt included.
            var row = Array(repeating: 0, count: 10)
            if k % 4 == 3 { row[0] = 5; row[1] = 5 } else { row[k % 8] = 7; row[(k + 1) % 8] = 3 }
            votes += row.map(String.init).joined(separator: ",") + "\n"
        }
        let data = directory.appendingPathComponent("fer.csv").path
        let votesPath = directory.appendingPathComponent("votes.csv").path
        try csv.write(toFile: data, atomically: true, encoding: .utf8)
        try votes.write(toFile: votesPath, atomically: true, encoding: .utf8)

        let result = try CLI.run(["evaluate", "--data", data, "--votes", votesPath, "--format", "json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try CLI.json(result.stdout)
        XCTAssertEqual(object["n"] as? Int, 18)
        XCTAssertEqual(object["left_out"] as? Int, 6)
        let share = try XCTUnwrap(object["vote_share"] as? Double)
        XCTAssert((0...1).contains(share), "\(share)")
        let private_ = try CLI.json(try CLI.run(["evaluate", "--data", data, "--votes", votesPath, "--usage", "private",
                                                 "--format", "json"]).stdout)
        XCTAssertEqual(private_["n"] as? Int, 9, "the usage filter applies with votes too")

        try votes.split(separator: "\n").dropLast().joined(separator: "\n").write(toFile: votesPath, atomically: true, encoding: .utf8)
        assertCleanFailure(try CLI.run(["evaluate", "--data", data, "--votes", votesPath]), naming: votesPath)
    }

    /// Issue 2's anchor: Keras gives the seed model 0.5695 on PublicTest + PrivateTest.
    func testEvaluateReproducesKerasAccuracyOfTheSeedModel() throws {
        let model = try CLI.sharedFile("models/seed-cnn.h5")
        let data = try CLI.sharedFile("data/fer2013-test.csv")
        guard CLI.isRelease else { throw XCTSkip("needs the release binary (make test sets EMOTION_LIVE_BIN)") }
        let result = try CLI.run(["evaluate", "--model", model, "--data", data, "--format", "json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try CLI.json(result.stdout)
        XCTAssertEqual(object["n"] as? Int, 7178)
        XCTAssertEqual(String(format: "%.4f", object["accuracy"] as? Double ?? 0), "0.5695")
    }

    /// Issue 3's anchor: mini-Xception (64x64x1, [-1, 1], FER-2013 code order, FER spellings)
    /// scores what Keras gives, 0.6551, once its metadata is given.
    func testEvaluateReproducesKerasAccuracyOfMiniXception() throws {
        let model = try CLI.sharedFile("models/mini-xception-fer2013.hdf5")
        let data = try CLI.sharedFile("data/fer2013-test.csv")
        guard CLI.isRelease else { throw XCTSkip("needs the release binary (make test sets EMOTION_LIVE_BIN)") }
        let result = try CLI.run(["evaluate", "--model", model, "--data", data, "--format", "json",
                                  "--labels", "angry,disgust,fear,happy,sad,surprise,neutral", "--input-scale", "signed"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try CLI.json(result.stdout)
        XCTAssertEqual(object["n"] as? Int, 7178)
        XCTAssertEqual(String(format: "%.4f", object["accuracy"] as? Double ?? 0), "0.6551")
        XCTAssertEqual(object["labels"] as? [String], ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"])
    }

    func testTheBundledModelBeatsTheSeedModel() throws {
        let data = try CLI.sharedFile("data/fer2013-test.csv")
        guard CLI.isRelease else { throw XCTSkip("needs the release binary (make test sets EMOTION_LIVE_BIN)") }
        let result = try CLI.run(["evaluate", "--data", data, "--usage", "private", "--format", "json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let accuracy = try XCTUnwrap(CLI.json(result.stdout)["accuracy"] as? Double)
        print("bundled model on PrivateTest, FER-2013's labels: accuracy \(accuracy)")
        XCTAssertGreaterThan(accuracy, 0.5695, "above the seed model's FER-2013 accuracy")
    }

    /// Issue 29: the bundled model is trained on FER+'s votes; against the FER+ majority of
    /// PrivateTest it scores what its model card says (0.8607), and well above the FER-2013-trained
    /// model it replaced (0.6862).
    func testTheBundledModelScoresItsFERPlusAccuracy() throws {
        let data = try CLI.sharedFile("data/fer2013-test.csv")
        let votes = try CLI.sharedFile("data/ferplus-test-votes.csv")
        guard CLI.isRelease else { throw XCTSkip("needs the release binary (make test sets EMOTION_LIVE_BIN)") }
        let result = try CLI.run(["evaluate", "--data", data, "--votes", votes, "--usage", "private", "--format", "json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try CLI.json(result.stdout)
        XCTAssertEqual(object["n"] as? Int, 3375, "FER+'s protocol keeps 3,375 PrivateTest rows")
        XCTAssertEqual(object["left_out"] as? Int, 214)
        XCTAssertEqual(try XCTUnwrap(object["accuracy"] as? Double), 0.8607, accuracy: 5e-4)
        XCTAssertGreaterThan(try XCTUnwrap(object["vote_share"] as? Double), 0.65)
    }
}
