// The broken and hostile model-file corpus (issue 3, "Safety"): every file is generated here at
// test time, from the tiny valid model in Support/KerasFileWriter.swift with one thing broken, and
// `KerasModel.load` runs over all of it.
//
// A refusal must be one line that starts with the file's path and names what is wrong (each case
// lists the words it must contain; matching ignores case, and spaces so that "(3, 3, 1, 2)" and
// "[3,3,1,2]" both match "3,3,1,2"). No case may crash, hang, take more than a few seconds, or
// grow the process's peak memory by more than 256 MiB: sizes come from an untrusted file.
// Cases that can take down libhdf5 itself (byte flips, corrupt heaps, a named pipe) run in a
// child process (this test binary, re-run on one file), so a crash or a hang fails that case
// and the rest of the suite still runs; a file that crashed is kept under
// $TMPDIR/emotion-live-corpus-failures/.
// Every message is printed ("corpus <case>: <message>") so a run shows what users would see.
import Foundation
import HDF5
import KerasEngine
import TestSupport
import XCTest

final class MalformedModelTests: XCTestCase {
    var directory: TemporaryDirectory!

    override func setUpWithError() throws { directory = try TemporaryDirectory(prefix: "malformed-models") }
    override func tearDown() { directory = nil }

    // MARK: - The valid model the corpus is made from

    /// Without this the corpus would prove nothing: the unbroken files load, and give the numbers
    /// of a naive reference implementation of the same four layers (tolerance 1e-5). The
    /// writer's files were also checked once by hand against Keras itself: Keras 3.15's
    /// `load_model` reads the Sequential and Functional variants and its `predict` agrees with
    /// the same naive computation (in numpy) to 3e-8.
    func testValidModelsLoadAndMatchNaiveReference() throws {
        var variants: [(String, KerasFile)] = [("sequential", TinyModel.sequential()), ("functional", TinyModel.functional())]
        var oldStrings = TinyModel.sequential()
        oldStrings.configStorage = .fixedLength  // Keras 2.0-2.2 through h5py's numpy strings
        oldStrings.kerasVersion = "2.0.5"
        variants.append(("fixed-length config", oldStrings))
        var newStrings = TinyModel.functional()
        newStrings.nameStorage = .variableLength  // tf.keras 2.12's layer_names and weight_names
        variants.append(("variable-length names", newStrings))
        var chunked = TinyModel.sequential()
        chunked.chunkedNames = true  // h5py's split of long attributes: weight_names0, weight_names1
        variants.append(("chunked names", chunked))

        let weights = TinyModel.weights()
        var random = SeededRandom(seed: 7)
        let inputs = (0..<3).map { _ in (0..<64).map { _ in random.nextFloat() } }
        for (label, file) in variants {
            let path = directory.file("valid-\(label.replacingOccurrences(of: " ", with: "-")).h5")
            try file.write(to: path)
            let model = try KerasModel.load(path: path)
            XCTAssertEqual(model.inputShape, TinyModel.inputShape, label)
            XCTAssertEqual(model.warnings, [], label)
            var outputs: [[Float]] = []
            for input in inputs {
                let output = infer(model, input)
                outputs.append(output)
                let expected = naiveTinyModel(input, weights)
                XCTAssertEqual(output.count, TinyModel.classes, label)
                XCTAssertEqual(output.reduce(0, +), 1, accuracy: 1e-5, "\(label): softmax outputs sum to 1")
                for (got, want) in zip(output, expected) { XCTAssertEqual(got, want, accuracy: 1e-5, label) }
            }
            // Different inputs give different outputs: the comparison above covers the conv path,
            // not only the dense bias.
            XCTAssertGreaterThan(zip(outputs[0], outputs[1]).map { abs($0 - $1) }.max() ?? 0, 1e-3, label)
        }
    }

    // MARK: - Files that are not Keras models at all

    func testFilesThatAreNotHDF5() throws {
        let empty = directory.file("empty.h5")
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        assertRefused("empty file", empty, oneOf: ["HDF5"])

        let text = directory.file("notes.h5")
        try "model_config = {\"class_name\": \"Sequential\"}\n".write(toFile: text, atomically: true, encoding: .utf8)
        assertRefused("text file", text, oneOf: ["HDF5"])

        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])
        var random = SeededRandom(seed: 0x0090)
        png.append(contentsOf: (0..<4096).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        let pngPath = directory.file("face.png.h5")
        _ = FileManager.default.createFile(atPath: pngPath, contents: png)
        assertRefused("PNG-like binary", pngPath, oneOf: ["HDF5"])

        // The HDF5 signature and nothing sensible after it: passes the signature check, then the
        // superblock is garbage.
        var signatureOnly = Data([0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A])
        signatureOnly.append(contentsOf: (0..<2048).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        let signaturePath = directory.file("signature-only.h5")
        _ = FileManager.default.createFile(atPath: signaturePath, contents: signatureOnly)
        assertRefused("HDF5 signature then garbage", signaturePath, oneOf: ["HDF5", "corrupt", "truncated", "damaged"])
    }

    func testPathsThatAreNotRegularFiles() throws {
        assertRefused("directory", directory.path, oneOf: ["directory"])
        assertRefused("path that does not exist", directory.file("no-such-model.h5"),
                      oneOf: ["no such file", "does not exist", "not found"])
    }

    /// A named pipe with no writer blocks whoever opens it for reading: the loader must not wait
    /// forever on one. Loaded in a child process, which is killed after 5 s.
    func testNamedPipeDoesNotHang() throws {
        let fifo = directory.file("model.fifo.h5")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let outcome = try loadInChildProcesses([fifo], timeout: 5)[0]
        report("corpus named pipe: \(outcome)")
        guard case let .refused(message) = outcome else { return XCTFail("named pipe: \(outcome)") }
        XCTAssertTrue(message.hasPrefix(fifo), message)
        XCTAssertFalse(message.contains("\n"), message)
    }

    // MARK: - Damaged copies of the valid file

    func testTruncatedFiles() throws {
        let valid = try validBytes()
        let cuts = [("16 bytes", 16), ("first 512 bytes", 512), ("half", valid.count / 2),
                    ("all but 100 bytes", valid.count - 100), ("all but 1 byte", valid.count - 1)]
        for (label, length) in cuts {
            let path = directory.file("truncated-\(length).h5")
            _ = FileManager.default.createFile(atPath: path, contents: valid.prefix(length))
            assertRefused("truncated to \(label)", path)
        }
    }

    /// A seeded sweep: one byte XOR-ed at 40 positions spread over the whole file, then 24 more
    /// in its first 4 KiB (superblock, object headers, the global heap holding the config string).
    /// Any outcome but a crash or a hang is acceptable: a refusal (one line, naming the file) or a
    /// model that then runs. Each file is loaded in a child process, so a crash fails its case
    /// instead of ending the whole test run.
    func testFlippedBytesNeverCrash() throws {
        let valid = try validBytes()
        var random = SeededRandom(seed: 0xF11B)
        var offsets: [Int] = []
        for (count, span) in [(40, valid.count), (24, min(4096, valid.count))] {
            let stride = span / count
            offsets += (0..<count).map { $0 * stride + random.next(below: stride) }
        }
        var files: [(offset: Int, change: String, path: String)] = []
        for offset in offsets {
            var bytes = valid
            bytes[offset] ^= UInt8(1 + random.next(below: 255))
            let path = directory.file("flipped-\(offset).h5")
            _ = FileManager.default.createFile(atPath: path, contents: bytes)
            files.append((offset, "0x\(String(valid[offset], radix: 16)) -> 0x\(String(bytes[offset], radix: 16))", path))
        }
        let outcomes = try loadInChildProcesses(files.map(\.path), timeout: 10)
        var tally: [String: Int] = [:]
        for ((offset, change, path), outcome) in zip(files, outcomes) {
            report("corpus flipped byte at \(offset) of \(valid.count) (\(change)): \(outcome)")
            switch outcome {
            case .loaded:
                tally["loaded", default: 0] += 1
            case let .refused(message):
                tally["refused", default: 0] += 1
                XCTAssertTrue(message.hasPrefix(path), "flipped byte at \(offset): \(message)")
                XCTAssertFalse(message.contains("\n"), "flipped byte at \(offset): \(message)")
            case .libHDF5BadFreeUnderSanitizer:
                break
            case .crashed, .hung, .tooMuchMemory, .unexpected:
                tally["\(outcome)".components(separatedBy: " ")[0], default: 0] += 1
                XCTFail("flipped byte at \(offset) (\(change)), file kept at \(keep(path)): \(outcome)")
            }
        }
        report("corpus flipped bytes, \(files.count) files: \(tally.sorted { $0.key < $1.key })")
    }

    /// The config string lives in the file's global heap, and the attribute holds a reference
    /// to it (length, collection address, object index). libhdf5 copies a heap object by the
    /// length the heap records and allocates by the length the reference records: a corrupt
    /// length or index must be refused, not followed. Loaded in child processes, which must
    /// not crash, hang, or pass 256 MiB of peak memory.
    func testCorruptGlobalHeapNeverCrashes() throws {
        let valid = try validBytes()
        guard let collection = valid.firstRange(of: Data("GCOL".utf8))?.lowerBound else {
            return XCTFail("the valid file has no global heap collection: the writer no longer stores model_config variable-length")
        }
        // Collection: "GCOL", version, 3 reserved, 8-byte size; then objects: 2-byte index,
        // 2-byte reference count, 4 reserved, 8-byte length, data.
        let lengthField = collection + 16 + 8
        // The attribute itself holds a 16-byte reference to its heap object: string length (4),
        // collection address (8), object index (4).
        let configLength = UInt32(valid[lengthField]) | UInt32(valid[lengthField + 1]) << 8
        var reference = Data()
        for byte in 0..<4 { reference.append(UInt8(truncatingIfNeeded: configLength >> (8 * byte))) }
        for byte in 0..<8 { reference.append(UInt8(truncatingIfNeeded: collection >> (8 * byte))) }
        reference.append(contentsOf: [1, 0, 0, 0])
        guard let descriptor = valid.firstRange(of: reference)?.lowerBound else {
            return XCTFail("no reference to the config's heap object found in the valid file")
        }
        let cases: [(String, [Int: UInt8])] = [
            ("reference to heap object 65535", [descriptor + 12: 0xFF, descriptor + 13: 0xFF]),
            ("reference to heap object 0 (free space)", [descriptor + 12: 0]),
            ("reference with string length 0", [descriptor: 0, descriptor + 1: 0]),
            ("reference with string length 2^28", [descriptor: 0, descriptor + 1: 0, descriptor + 2: 0, descriptor + 3: 0x10]),
            ("reference to address 2^40", [descriptor + 4 + 5: 0x01]),
            ("config length 2^38 + its own", [lengthField + 4: 0x40]),
            ("config length 64 KiB, past its collection", [lengthField + 1: 0xFF, lengthField + 2: 0x00]),
            ("collection size 2^40", [collection + 8 + 5: 0x01]),
            ("collection size 0", Dictionary(uniqueKeysWithValues: (0..<8).map { (collection + 8 + $0, UInt8(0)) })),
        ]
        let paths = cases.map { label, patch in
            var bytes = valid
            for (offset, value) in patch { bytes[offset] = value }
            let path = directory.file("gcol-\(label.filter { $0.isLetter || $0.isNumber }).h5")
            _ = FileManager.default.createFile(atPath: path, contents: bytes)
            return path
        }
        let outcomes = try loadInChildProcesses(paths, timeout: 10)
        for ((label, _), (path, outcome)) in zip(cases, zip(paths, outcomes)) {
            report("corpus global heap, \(label): \(outcome)")
            switch outcome {
            case let .refused(message):
                XCTAssertTrue(message.hasPrefix(path), "\(label): \(message)")
                XCTAssertFalse(message.contains("\n"), "\(label): \(message)")
            case .loaded:
                break  // libhdf5 may well ignore a field it does not need
            case .libHDF5BadFreeUnderSanitizer:
                break
            case .crashed, .hung, .tooMuchMemory, .unexpected:
                XCTFail("global heap, \(label), file kept at \(keep(path)): \(outcome)")
            }
        }
    }

    // MARK: - model_config

    func testConfigThatIsNotAKerasModel() throws {
        func config(_ label: String, _ modelConfig: KerasModelConfig, oneOf: [String] = ["model_config"], mentions: [String] = [],
                    line: UInt = #line) throws {
            var file = TinyModel.sequential()
            file.modelConfig = modelConfig
            try assertRefused(label, file, mentions: mentions, oneOf: oneOf, line: line)
        }
        try config("config cut mid-way", .text(#"{"class_name": "Sequential", "config": {"layers": ["#))
        try config("config in Python syntax", .text("{'class_name': 'Sequential', 'config': None}"))
        try config("config of control bytes", .text("\u{1}\u{2}\u{3}\u{7F}"))
        try config("empty config", .text(""))
        try config("config a JSON list", .text("[1, 2, 3]"))
        try config("config a JSON number", .text("42"))
        try config("config stored as an integer", .number(42))
        // Thousands of nested arrays: a recursive parser without a depth limit overflows its stack.
        try config("config nested 100000 deep", .text(#"{"class_name": "Sequential", "config": "# + String(repeating: "[", count: 100_000)))
        try config("config nested 100000 deep, closed",
                   .text(#"{"class_name": "Sequential", "config": "# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"))
        try config("no class_name", .json(["config": ["name": "m", "layers": [] as [Any]] as [String: Any]]), oneOf: ["class_name", "class name"])
        try config("model class_name a number", .json(["class_name": 7, "config": ["layers": [] as [Any]] as [String: Any]]),
                   oneOf: ["class_name", "class name"])
        try config("model without config", .json(["class_name": "Sequential"]), oneOf: ["layer", "config"])
        try config("layers not a list", .json(["class_name": "Sequential", "config": ["name": "s", "layers": ["conv2d": 1]] as [String: Any]]),
                   oneOf: ["layer"])
        try config("no layers", .json(["class_name": "Sequential", "config": ["name": "s", "layers": [] as [Any]] as [String: Any]]),
                   oneOf: ["layer"])
        try config("unknown model class", .json(["class_name": "MyModelSubclass", "config": [:] as [String: Any]]),
                   oneOf: ["MyModelSubclass"])
    }

    func testLayerConfigsWithMissingOrWrongValues() throws {
        func layer(_ label: String, mentions: [String], oneOf: [String] = [], line: UInt = #line, _ edit: (inout KerasFile) -> Void) throws {
            var file = TinyModel.sequential()
            edit(&file)
            try assertRefused(label, file, mentions: mentions, oneOf: oneOf, line: line)
        }
        try layer("layer class_name a number", mentions: [], oneOf: ["class_name", "class name"]) {
            $0.editLayer("conv2d") { $0["class_name"] = 42 }
        }
        try layer("layer config a string", mentions: []) {
            $0.editLayers { $0[1] = ["class_name": "Conv2D", "config": "conv2d"] }
        }
        try layer("Dense without units", mentions: ["dense", "units"]) { $0.editLayerConfig("dense") { $0["units"] = nil } }
        try layer("Dense units a string", mentions: ["dense", "units"]) { $0.editLayerConfig("dense") { $0["units"] = "3" } }
        try layer("Dense units zero", mentions: ["dense", "units"]) { $0.editLayerConfig("dense") { $0["units"] = 0 } }
        try layer("Dense units negative", mentions: ["dense", "units"]) { $0.editLayerConfig("dense") { $0["units"] = -3 } }
        try layer("Conv2D kernel_size a string", mentions: ["conv2d", "kernel_size"]) {
            $0.editLayerConfig("conv2d") { $0["kernel_size"] = "3x3" }
        }
        try layer("Conv2D unknown activation", mentions: ["conv2d", "mish_custom"]) {
            $0.editLayerConfig("conv2d") { $0["activation"] = "mish_custom" }
        }
        try layer("Conv2D unknown padding", mentions: ["conv2d"], oneOf: ["padding", "diagonal"]) {
            $0.editLayerConfig("conv2d") { $0["padding"] = "diagonal" }
        }
        try layer("Sequential without any input shape", mentions: [], oneOf: ["input"]) {
            $0.editLayers { $0.removeFirst() }
            $0.editLayerConfig("conv2d") { $0["batch_input_shape"] = nil }
        }
        try layer("two layers named dense", mentions: ["dense"], oneOf: ["duplicate", "twice", "more than once", "unique", "same name", "two layers"]) {
            $0.editLayer("flatten") { entry in
                var config = entry["config"] as! [String: Any]
                config["name"] = "dense"
                entry["config"] = config
            }
        }
    }

    // MARK: - Weights

    func testWeightsOnlyFile() throws {
        var file = TinyModel.sequential()
        file.modelConfig = .absent
        try assertRefused("weights-only file (no model_config)", file, mentions: ["model_config"], oneOf: ["weights"])
    }

    func testMissingWeights() throws {
        var missingDataset = TinyModel.sequential()
        missingDataset.editWeights("dense") { layer in
            layer.weightNames = ["dense/kernel:0", "dense/bias:0"]
            layer.weights.removeFirst()
        }
        try assertRefused("kernel dataset missing", missingDataset, mentions: ["dense", "kernel"])

        var unlistedBias = TinyModel.sequential()
        unlistedBias.editWeights("dense") { $0.weights.removeLast() }
        try assertRefused("bias neither listed nor stored", unlistedBias, mentions: ["dense", "bias"])

        var missingGroup = TinyModel.sequential()
        missingGroup.layers.removeAll { $0.layer == "conv2d" }
        try assertRefused("layer's weight group missing", missingGroup, mentions: ["conv2d"])
    }

    func testMisShapedWeights() throws {
        var conv = TinyModel.sequential()
        conv.editWeights("conv2d") { $0.weights[0] = KerasWeight(name: "kernel:0", shape: [3, 3, 1, 3], values: Array(repeating: 0.1, count: 27)) }
        try assertRefused("Conv2D kernel with 3 filters for 2", conv, mentions: ["conv2d", "kernel", "3,3,1,2", "3,3,1,3"])

        var dense = TinyModel.sequential()
        dense.editWeights("dense") { $0.weights[0] = KerasWeight(name: "kernel:0", shape: [17, 3], values: Array(repeating: 0.1, count: 51)) }
        try assertRefused("Dense kernel for 17 inputs, not 18", dense, mentions: ["dense", "kernel", "18,3", "17,3"])

        var bias = TinyModel.sequential()
        bias.editWeights("dense") { $0.weights[1] = KerasWeight(name: "bias:0", shape: [4], values: [0, 0, 0, 0]) }
        try assertRefused("Dense bias of 4 for 3 units", bias, mentions: ["dense", "bias", "4"])

        var scalar = TinyModel.sequential()
        scalar.editWeights("conv2d") { $0.weights[1] = KerasWeight(name: "bias:0", shape: [], values: [0]) }
        try assertRefused("Conv2D bias a scalar", scalar, mentions: ["conv2d", "bias"])
    }

    /// NaN or infinite weights are not a reason to refuse (Keras loads them), but the user hears
    /// about it, with the layer named.
    func testNonFiniteWeightsLoadWithAWarning() throws {
        var nan = TinyModel.sequential()
        nan.editWeights("dense") { $0.weights[0].values[5] = .nan }
        var inf = TinyModel.sequential()
        inf.editWeights("conv2d") { $0.weights[1].values[0] = -.infinity }
        for (label, file, layer) in [("NaN in Dense kernel", nan, "dense"), ("-inf in Conv2D bias", inf, "conv2d")] {
            let path = directory.file("\(layer)-nonfinite.h5")
            try file.write(to: path)
            let model = try KerasModel.load(path: path)
            report("corpus \(label): warnings \(model.warnings)")
            XCTAssertFalse(model.warnings.isEmpty, "\(label): no warning")
            XCTAssertTrue(model.warnings.contains { $0.contains(layer) }, "\(label): no warning names '\(layer)': \(model.warnings)")
            XCTAssertTrue(model.warnings.allSatisfy { !$0.contains("\n") }, "\(label): \(model.warnings)")
            _ = infer(model, [Float](repeating: 0.5, count: 64))
        }
    }

    // MARK: - Helpers

    /// The valid Sequential file's bytes, the starting point for truncation and byte flips.
    func validBytes() throws -> Data {
        let path = directory.file("valid-for-damage.h5")
        try TinyModel.sequential().write(to: path)
        _ = try KerasModel.load(path: path)  // the damage is the only thing wrong
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    func assertRefused(_ label: String, _ file: KerasFile, mentions: [String] = [], oneOf: [String] = [],
                               sourceFile: StaticString = #filePath, line: UInt = #line) throws {
        let slug = label.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        let path = directory.file(String(slug) + ".h5")
        try file.write(to: path)
        assertRefused(label, path, mentions: mentions, oneOf: oneOf, sourceFile: sourceFile, line: line)
    }

    /// Loads `path` expecting a refusal: one line, starting with the path, containing every word
    /// of `mentions` and at least one of `oneOf`; within 5 s and 256 MiB of new peak memory.
    func assertRefused(_ label: String, _ path: String, mentions: [String] = [], oneOf: [String] = [],
                               sourceFile: StaticString = #filePath, line: UInt = #line) {
        let peakBefore = peakResidentBytes()
        let start = Date()
        let result = Result { try KerasModel.load(path: path) }
        let seconds = Date().timeIntervalSince(start)
        let grown = peakResidentBytes() - peakBefore
        XCTAssertLessThan(seconds, 5, "\(label): took \(seconds) s", file: sourceFile, line: line)
        XCTAssertLessThan(grown, 256 << 20, "\(label): peak memory grew by \(grown >> 20) MiB", file: sourceFile, line: line)
        switch result {
        case let .success(model):
            report("corpus \(label): LOADED (input \(model.inputShape), warnings \(model.warnings))")
            XCTFail("\(label): loaded, expected a refusal", file: sourceFile, line: line)
        case let .failure(error):
            let message = String(describing: error)
            report("corpus \(label): \(message)")
            XCTAssertFalse(message.contains("\n"), "\(label): more than one line: \(message)", file: sourceFile, line: line)
            XCTAssertTrue(message.hasPrefix(path), "\(label): does not start with the file path: \(message)", file: sourceFile, line: line)
            // The path itself names the case: look for the words in what follows it.
            let afterPath = String(message.dropFirst(message.hasPrefix(path) ? path.count : 0)).lowercased()
            let squeezed = afterPath.replacingOccurrences(of: " ", with: "")
            func saysAfterPath(_ word: String) -> Bool {
                let word = word.lowercased()
                return afterPath.contains(word) || squeezed.contains(word)
            }
            for word in mentions where !saysAfterPath(word) {
                XCTFail("\(label): message does not mention '\(word)': \(message)", file: sourceFile, line: line)
            }
            if !oneOf.isEmpty, !oneOf.contains(where: saysAfterPath) {
                XCTFail("\(label): message mentions none of \(oneOf): \(message)", file: sourceFile, line: line)
            }
        }
    }

    /// Runs one sample through a fresh session.
    func infer(_ model: KerasModel, _ input: [Float]) -> [Float] {
        let session = model.makeSession(maxBatch: 1)
        var output = [Float](repeating: .nan, count: model.outputCount)
        input.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in session.run(input, batch: 1, into: output) }
        }
        return output
    }

    /// The tiny model computed the obvious way: Conv2D 3x3 valid + relu (kernel HWIO), 2x2 max
    /// pooling, flatten in HWC order, Dense + softmax.
    func naiveTinyModel(_ x: [Float], _ weights: [KerasLayerWeights]) -> [Float] {
        let kernel = weights[0].weights[0].values, convBias = weights[0].weights[1].values
        let dense = weights[3].weights[0].values, denseBias = weights[3].weights[1].values
        var conv = [Float](repeating: 0, count: 6 * 6 * 2)
        for i in 0..<6 { for j in 0..<6 { for f in 0..<2 {
            var sum = convBias[f]
            for di in 0..<3 { for dj in 0..<3 { sum += x[(i + di) * 8 + (j + dj)] * kernel[(di * 3 + dj) * 2 + f] } }
            conv[(i * 6 + j) * 2 + f] = max(sum, 0)
        } } }
        var pooled = [Float](repeating: 0, count: 3 * 3 * 2)
        for i in 0..<3 { for j in 0..<3 { for f in 0..<2 {
            pooled[(i * 3 + j) * 2 + f] = [conv[((2 * i) * 6 + 2 * j) * 2 + f], conv[((2 * i) * 6 + 2 * j + 1) * 2 + f],
                                           conv[((2 * i + 1) * 6 + 2 * j) * 2 + f], conv[((2 * i + 1) * 6 + 2 * j + 1) * 2 + f]].max()!
        } } }
        var logits = denseBias
        for u in 0..<3 { for k in 0..<18 { logits[u] += pooled[k] * dense[k * 3 + u] } }
        let top = logits.max()!
        let exps = logits.map { exp($0 - top) }
        let total = exps.reduce(0, +)
        return exps.map { $0 / total }
    }
}
