// The crash-isolated half of the hostile model-file corpus (MalformedModelTests.swift): loads
// that can take down libhdf5 itself run in a child process (this test binary, re-run on one
// file), so a crash or a hang fails that case and the rest of the suite still runs.
import Foundation
import KerasEngine
import TestSupport
import XCTest

extension MalformedModelTests {
    // MARK: - Loading in a child process

    /// What became of one load in a child process.
    enum ChildOutcome: CustomStringConvertible {
        case loaded(String)
        case refused(String)
        case crashed(signal: Int32)
        case hung(seconds: Double)
        /// Loaded or refused, but the child's peak memory passed 256 MiB on the way.
        case tooMuchMemory(peakMiB: Int, outcome: String)
        case unexpected(String)
        /// `make sanitize` only: AddressSanitizer stopped the child at libhdf5 1.10.8's own bad
        /// free (H5MM_xfree while H5Fclose flushes its cache, on some corrupt files), which it
        /// cannot be told to ignore; without the sanitizer the guard refuses these files.
        case libHDF5BadFreeUnderSanitizer

        var description: String {
            switch self {
            case let .loaded(details): return "loaded (\(details))"
            case let .refused(message): return message
            case let .crashed(signal): return "crashed with signal \(signal)"
            case let .hung(seconds): return "hung (killed after \(seconds) s)"
            case let .tooMuchMemory(peak, outcome): return "peak memory \(peak) MiB, then: \(outcome)"
            case let .unexpected(output): return "unexpected child output: \(output)"
            case .libHDF5BadFreeUnderSanitizer: return "AddressSanitizer: libhdf5's bad free in H5MM_xfree"
            }
        }
    }

    fileprivate static let childFilesVariable = "EMOTION_LIVE_CORPUS_CHILD_FILES"

    /// The body of the child processes `loadInChildProcesses` starts: loads each file named in
    /// the environment in turn, runs it if it loads, and reports each outcome on stdout between
    /// markers, flushed, before the next. Skipped in an ordinary run.
    func testChildProcessLoad() throws {
        guard let list = ProcessInfo.processInfo.environment[Self.childFilesVariable] else {
            throw XCTSkip("helper: runs only inside the child processes of the crash-isolated corpus cases")
        }
        for path in list.split(separator: "\n").map(String.init) {
            // Reset the peak-memory mark, so each file's figure is its own.
            try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
            var result: String
            do {
                let model = try KerasModel.load(path: path)
                let count = model.inputShape.reduce(1, *)
                if (1...(1 << 20)).contains(count) {
                    let output = infer(model, [Float](repeating: 0.5, count: count))
                    result = "LOADED input \(model.inputShape), output \(output), warnings \(model.warnings)"
                } else {
                    result = "LOADED input \(model.inputShape), not run"
                }
            } catch {
                result = "REFUSED " + String(describing: error)
            }
            report("<<<CHILD\n" + result + "\nPEAK \(peakResidentBytes() >> 20)\nCHILD>>>")
        }
    }

    /// Runs `KerasModel.load` on each path in child processes (this test binary, filtered to
    /// `testChildProcessLoad`), so that a crash or a hang is an outcome to assert on. One child
    /// loads the files in turn; when one crashes it, or stays `timeout` seconds without an
    /// answer, that file gets the outcome and a new child goes on with the next.
    func loadInChildProcesses(_ paths: [String], timeout: Double) throws -> [ChildOutcome] {
        var outcomes: [ChildOutcome] = []
        while outcomes.count < paths.count {
            let pending = Array(paths[outcomes.count...])
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            process.arguments = ["KerasEngineTests.MalformedModelTests/testChildProcessLoad"]
            var environment = ProcessInfo.processInfo.environment
            environment[Self.childFilesVariable] = pending.joined(separator: "\n")
            process.environment = environment
            let stdout = Pipe(), stderr = Pipe()
            process.standardOutput = stdout
            process.standardError = stderr
            let output = LockedBox(Data())
            let errors = LockedBox(Data())
            let drained = DispatchSemaphore(value: 0)
            try process.run()
            let reader = stdout.fileHandleForReading
            DispatchQueue.global().async {
                while case let chunk = reader.availableData, !chunk.isEmpty { output.value.append(chunk) }
                drained.signal()
            }
            let errorReader = stderr.fileHandleForReading
            DispatchQueue.global().async {
                while case let chunk = errorReader.availableData, !chunk.isEmpty { errors.value.append(chunk) }
                drained.signal()
            }
            // Wait while answers keep coming; a file that takes `timeout` seconds has hung.
            var answered = 0
            var deadline = Date().addingTimeInterval(timeout)
            var hung = false
            while process.isRunning {
                let now = childAnswers(in: output.value).count
                if now != answered { answered = now; deadline = Date().addingTimeInterval(timeout) }
                if Date() > deadline { hung = true; break }
                usleep(10_000)
            }
            if hung { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            drained.wait()
            drained.wait()
            let answers = childAnswers(in: output.value)
            outcomes += answers.prefix(pending.count)
            guard answers.count < pending.count else { break }
            // libhdf5 faulting on the file: the read guard (CHDF5Guard) printed one line naming
            // the file and ended the process with status 1, which is a refusal.
            let failing = pending[answers.count]
            let guardLine = String(decoding: errors.value, as: UTF8.self).split(separator: "\n")
                .first { $0.contains(": \(failing): corrupt data") }
            if hung {
                outcomes.append(.hung(seconds: timeout))
            } else if process.terminationReason == .exit, process.terminationStatus == 1, let guardLine,
                      let start = guardLine.range(of: failing) {
                outcomes.append(.refused(String(guardLine[start.lowerBound...])))
            } else if process.terminationReason == .uncaughtSignal {
                outcomes.append(.crashed(signal: process.terminationStatus))
            } else if let report = Optional(String(decoding: errors.value, as: UTF8.self)),
                      report.contains("AddressSanitizer: attempting free on address which was not malloc()-ed"),
                      report.contains("in H5MM_xfree") {
                outcomes.append(.libHDF5BadFreeUnderSanitizer)
            } else {
                let text = String(decoding: output.value, as: UTF8.self)
                outcomes.append(.unexpected("exit \(process.terminationStatus): " + String(text.suffix(400))))
            }
        }
        return outcomes
    }

    /// The outcomes a child has reported so far, in order.
    fileprivate func childAnswers(in data: Data) -> [ChildOutcome] {
        let text = String(decoding: data, as: UTF8.self)
        return text.components(separatedBy: "<<<CHILD\n").dropFirst().compactMap { chunk in
            guard let close = chunk.range(of: "\nCHILD>>>") else { return nil }
            var body = String(chunk[..<close.lowerBound])
            if let peakLine = body.range(of: "\nPEAK ", options: .backwards) {
                let peak = Int(body[peakLine.upperBound...]) ?? 0
                body = String(body[..<peakLine.lowerBound])
                if peak > 256 { return .tooMuchMemory(peakMiB: peak, outcome: body) }
            }
            if body.hasPrefix("REFUSED ") { return .refused(String(body.dropFirst("REFUSED ".count))) }
            if body.hasPrefix("LOADED ") { return .loaded(String(body.dropFirst("LOADED ".count))) }
            return .unexpected(body)
        }
    }

    /// Copies a file that broke the loader out of the temporary directory, for the record.
    func keep(_ path: String) -> String {
        let kept = FileManager.default.temporaryDirectory.path + "/emotion-live-corpus-failures"
        try? FileManager.default.createDirectory(atPath: kept, withIntermediateDirectories: true)
        let target = kept + "/" + (path as NSString).lastPathComponent
        try? FileManager.default.removeItem(atPath: target)
        try? FileManager.default.copyItem(atPath: path, toPath: target)
        return target
    }
}
