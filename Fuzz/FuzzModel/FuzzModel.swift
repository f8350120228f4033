// libFuzzer target for the whole model-file path: each input is written to a file and loaded
// with `KerasModel.load(path:)` (libhdf5 through the HDF5 reader, then the config decoder, the
// graph checks and the layer constructors); a model that loads and is small is also run once.
// A clean throw is the expected outcome for a bad file.
//
// libhdf5 itself is not instrumented, so coverage feedback comes from the Swift side only. A
// fault inside a guarded libhdf5 read ends the process with a one-line message and exit status 1
// (Sources/CHDF5Guard, intended), so `make fuzz` runs this target with -fork=1 -ignore_crashes=1:
// such an input ends one child job, not the campaign. A Swift trap or an AddressSanitizer report
// still writes a crash-* artifact.
//
// Built by `make fuzz` with -DLIBFUZZER -sanitize=fuzzer,address: `main` runs libFuzzer's driver.
// In an ordinary build it is a replayer: `FuzzModel FILE...` loads each file once.
import Foundation
import KerasEngine

let scratchPath: String = {
    let directory = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    return (directory as NSString).appendingPathComponent("fuzz-model-\(getpid()).h5")
}()

/// Loads the file; runs the model once on zeros when it is small enough to be quick.
@discardableResult
func check(path: String) -> String {
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

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let data = bytes.map { Data(bytes: $0, count: size) } ?? Data()
    guard FileManager.default.createFile(atPath: scratchPath, contents: data) else { return 0 }
    check(path: scratchPath)
    return 0
}

#if LIBFUZZER
/// libFuzzer's entry point (compiler-rt's fuzzer runtime, linked by -sanitize=fuzzer). SwiftPM
/// gives every executable its own `main`, so libFuzzer's is not used: ours starts the driver.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt
#endif

@main
enum Main {
    static func main() throws {
        #if LIBFUZZER
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzz))
        #else
        for path in CommandLine.arguments.dropFirst() {
            print("\(path): \(check(path: path))")
        }
        #endif
    }
}
