// libFuzzer target for the .npy reader: every input is handed to `NPYArray(data:file:)`, which
// must either decode it or throw; a trap, an out-of-bounds access (AddressSanitizer) or an
// allocation past libFuzzer's limits is a finding.
//
// Built by `make fuzz` with -DLIBFUZZER -sanitize=fuzzer,address: `main` runs libFuzzer's driver.
// In an ordinary build it is a replayer: `FuzzNPY FILE...` runs the same check once per file.
import EmotionPipeline
import Foundation
import FuzzSupport

@discardableResult
func check(_ data: Data) -> String {
    do {
        let array = try NPYArray(data: data, file: "fuzz.npy")
        // The decoded array must be self-consistent.
        let count = array.shape.reduce(1, *)
        precondition(count == array.values.count, "shape \(array.shape) but \(array.values.count) values")
        return "decoded shape \(array.shape)"
    } catch {
        return "refused: \(error)"
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let data = bytes.map { Data(bytes: $0, count: size) } ?? Data()
    check(data)
    return 0
}

@main
enum Main {
    static func main() throws {
        try fuzzMain(fuzz) { check(try Data(contentsOf: URL(fileURLWithPath: $0))) }
    }
}
