// What the fuzz targets (Fuzz/Fuzz*) share: a scratch file per process, loading and running a
// model the way both model targets check it, and the entry point that either starts libFuzzer's
// driver (built by `make fuzz` with -DLIBFUZZER -sanitize=fuzzer,address) or, in an ordinary
// build, replays the files named on the command line.
import Foundation
import KerasEngine

/// A path for this process's scratch file, in /dev/shm where there is one (no disk writes per
/// input).
public func scratchPath(_ name: String) -> String {
    let directory = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    return (directory as NSString).appendingPathComponent("\(name)-\(getpid()).h5")
}

/// Loads the model file; runs it once on 0.5s when it is small enough to be quick. A clean
/// throw is an expected outcome; a trap or a sanitizer report is a finding. The outcome in words.
@discardableResult
public func loadAndRunIfSmall(path: String) -> String {
    do {
        let model = try KerasModel.load(path: path)
        let largest = model.layers.map { $0.outputShape.reduce(1, *) }.max() ?? 0
        guard model.inputCount > 0, model.inputCount <= 1 << 16, largest <= 1 << 20, model.flops <= 1 << 26 else {
            return "loaded, not run (input \(model.inputShape), flops \(model.flops))"
        }
        let output = model.makeSession(maxBatch: 1).predict([Float](repeating: 0.5, count: model.inputCount), batch: 1)
        precondition(output.count == model.outputCount, "\(output.count) outputs, expected \(model.outputCount)")
        return "loaded and ran: output \(model.outputShape)"
    } catch {
        return "refused: \(error)"
    }
}

/// The signature of `LLVMFuzzerTestOneInput`.
public typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

#if LIBFUZZER
/// libFuzzer's entry point (compiler-rt's fuzzer runtime, linked by -sanitize=fuzzer). SwiftPM
/// gives every executable its own `main`, so libFuzzer's is not used: `fuzzMain` starts the driver.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: FuzzCallback) -> CInt
#endif

/// A fuzz target's `main`: libFuzzer's driver over `testOneInput`, or (ordinary build) `replay`
/// on each file named on the command line, printing "FILE: outcome".
public func fuzzMain(_ testOneInput: FuzzCallback, replay: (String) throws -> String) rethrows {
    #if LIBFUZZER
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
    #else
    for path in CommandLine.arguments.dropFirst() {
        print("\(path): \(try replay(path))")
    }
    #endif
}
