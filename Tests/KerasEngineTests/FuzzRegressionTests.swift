// Inputs found by the fuzz targets (Fuzz/, `make fuzz`), kept as regression tests. Each file in
// Fixtures/fuzz/ is a mutated copy of a fixture model; loading it must end in a clean refusal:
// a thrown error, or (for a fault inside libhdf5) the HDF5 guard's one-line message and exit
// status 1. Files that could hang or crash are loaded in a child process (this test binary,
// filtered to `testChildProcessLoad`), so a hang is a failure, not a stuck test run.
import Foundation
import KerasEngine
import XCTest

final class FuzzRegressionTests: XCTestCase {
    static let fuzzFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent("fuzz")
    private static let childFileVariable = "EMOTION_LIVE_FUZZ_REGRESSION_FILE"

    /// FuzzModel, 2026-11-25: layer-average.h5 with two bytes changed in its global heap (the
    /// `weight_names` object of `branch1`: index 13 -> 269, length 12 -> 8). libhdf5 1.10.8 loops
    /// forever in H5HG_read (H5HG__protect -> H5C_protect) inside the guarded H5Aread of
    /// `weight_names`; `emotion-live inspect` on the file never returns.
    func testCorruptGlobalHeapObjectIndexDoesNotHang() throws {
        try expectCleanRefusal("hang-global-heap-object-index.h5", timeout: 20)
    }

    /// FuzzModel, 2026-11-25: layer-conv2d-strides2-same-even.h5 with a global heap object's
    /// length changed, so the variable-length read of a layer's `weight_names` fails part-way.
    /// It is refused ("cannot read attribute 'weight_names' ..."), but the strings libhdf5 had
    /// already converted leaked (HDF5Object.stringArrayAttribute registered its reclaim only after
    /// the read succeeded). LeakSanitizer shows the leak: after `make fuzz`, run
    /// `.build-fuzz/debug/FuzzModel Tests/KerasEngineTests/Fixtures/fuzz/leak-vlen-weight-names.h5`.
    func testPartlyReadVariableLengthWeightNamesAreRefused() throws {
        let path = Self.fuzzFixtures.appendingPathComponent("leak-vlen-weight-names.h5").path
        XCTAssertThrowsError(try KerasModel.load(path: path)) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.hasPrefix(path), message)
            XCTAssertTrue(message.contains("weight_names"), message)
        }
    }

    /// FuzzModel, 2026-11-25 (second campaign, 240 s): a mutated fixture on which libhdf5
    /// 1.10.8 frees, while H5Fclose flushes its metadata cache, an address it never allocated
    /// (AddressSanitizer: "attempting free on address which was not malloc()-ed" in H5MM_xfree
    /// <- H5C__flush_single_entry). Without the sanitizer the guarded read of `keras_version`
    /// faults first: one line naming the file, status 1. Kept out of `make fuzz`'s seeds (in
    /// libhdf5-faults/): AddressSanitizer cannot suppress a bad free, so the campaign would stop
    /// on it every time.
    func testCorruptFileThatBreaksLibHDF5sCacheIsRefused() throws {
        try expectCleanRefusal("libhdf5-faults/bad-free-on-close.h5", timeout: 20)
    }

    /// The child process's body: loads the file named in the environment and prints the outcome.
    /// Skipped in an ordinary run.
    func testChildProcessLoad() throws {
        guard let path = ProcessInfo.processInfo.environment[Self.childFileVariable] else {
            throw XCTSkip("helper: runs only inside the child processes of the fuzz regression cases")
        }
        let outcome: String
        do {
            let model = try KerasModel.load(path: path)
            outcome = "LOADED \(model.inputShape)"
        } catch {
            outcome = "REFUSED " + String(describing: error)
        }
        FileHandle.standardOutput.write(Data(("<<<" + outcome + ">>>\n").utf8))
    }

    /// Loads `name` in a child process and expects a refusal naming the file, within `timeout`.
    private func expectCleanRefusal(_ name: String, timeout: TimeInterval) throws {
        let path = Self.fuzzFixtures.appendingPathComponent(name).path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = ["KerasEngineTests.FuzzRegressionTests/testChildProcessLoad"]
        process.environment = ProcessInfo.processInfo.environment.merging([Self.childFileVariable: path]) { $1 }
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = Box(), errors = Box()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { output.data = stdout.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { errors.data = stderr.fileHandleForReading.readDataToEndOfFile() }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            group.wait()
            return XCTFail("\(name): loading hung (killed after \(Int(timeout)) s)")
        }
        process.waitUntilExit()
        group.wait()
        let text = String(decoding: output.data, as: UTF8.self)
        let errorText = String(decoding: errors.data, as: UTF8.self)
        guard process.terminationReason == .exit else {
            return XCTFail("\(name): child crashed with signal \(process.terminationStatus): \(errorText.suffix(600))")
        }
        if let start = text.range(of: "<<<"), let end = text.range(of: ">>>", range: start.upperBound..<text.endIndex) {
            let outcome = String(text[start.upperBound..<end.lowerBound])
            XCTAssertTrue(outcome.hasPrefix("REFUSED " + path), "\(name): \(outcome)")
        } else if errorText.contains("AddressSanitizer: attempting free on address which was not malloc()-ed"),
                  errorText.contains("H5MM_xfree") {
            // `make sanitize`: AddressSanitizer stops at libhdf5's own bad free before the guard
            // sees a fault, and a bad free cannot be suppressed. Not a finding in our code.
            throw XCTSkip("\(name): AddressSanitizer reports libhdf5's bad free (a bug of the library)")
        } else {
            // The HDF5 guard's exit: status 1 and one line naming the file.
            let guardLine = errorText.split(separator: "\n").first { $0.contains(path) }
            XCTAssertEqual(process.terminationStatus, 1, "\(name): \(errorText.suffix(600))")
            XCTAssertNotNil(guardLine, "\(name): no refusal and no guard message: \(errorText.suffix(600))")
        }
    }
}

private final class Box: @unchecked Sendable {
    var data = Data()
}
