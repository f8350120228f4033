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
import FuzzSupport

let scratch = scratchPath("fuzz-model")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let data = bytes.map { Data(bytes: $0, count: size) } ?? Data()
    guard FileManager.default.createFile(atPath: scratch, contents: data) else { return 0 }
    loadAndRunIfSmall(path: scratch)
    return 0
}

@main
enum Main {
    static func main() {
        fuzzMain(fuzz) { loadAndRunIfSmall(path: $0) }
    }
}
