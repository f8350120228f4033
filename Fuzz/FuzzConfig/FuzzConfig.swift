// libFuzzer target for the model configuration: the JSON decoder (every Keras generation), the
// graph checks, the layer constructors' reading of configuration values and shape arithmetic,
// and, for a model that loads and is small, one inference. Only public API is used.
//
// An input is one selector byte and then the `model_config` JSON text. Each input is written as
// a fresh, valid HDF5 file holding that JSON as its `model_config` attribute; its
// `model_weights` group is an HDF5 external link to a real model file chosen by the selector
// (byte % (files + 1); 0: no weights), so that mutated configurations of a known model still
// find its weights. The weight files are the *.h5 in $FUZZ_WEIGHTS_DIR (sorted by name); with
// $FUZZ_SEED_OUT set, start-up writes one seed per weight file (its selector byte and its own
// `model_config`) into that directory. Every file libhdf5 reads here is well formed, so unlike
// FuzzModel this target never trips the HDF5 fault guard.
//
// Built by `make fuzz` with -DLIBFUZZER -sanitize=fuzzer,address: `main` runs libFuzzer's driver.
// In an ordinary build it is a replayer: `FuzzConfig FILE...` (same environment) checks each
// input file once.
import CHDF5
import Foundation
import FuzzSupport
import HDF5

let environment = ProcessInfo.processInfo.environment

let scratch = scratchPath("fuzz-config")

/// Absolute paths of the weight files, sorted.
let weightFiles: [String] = {
    guard let directory = environment["FUZZ_WEIGHTS_DIR"], !directory.isEmpty,
          let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
    let absolute = URL(fileURLWithPath: directory).standardizedFileURL.path
    return names.filter { $0.hasSuffix(".h5") }.sorted().map { absolute + "/" + $0 }
}()

/// Writes the seed corpus: for weight file i (1-based), byte i then its `model_config`.
func writeSeeds(to directory: String) {
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for (index, path) in weightFiles.enumerated() where index < 255 {
        guard let file = try? HDF5File(path: path), let root = try? file.root,
              let json = try? root.stringAttribute("model_config") else { continue }
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let seed = Data([UInt8(index + 1)]) + Data(json.utf8)
        _ = FileManager.default.createFile(atPath: directory + "/seed-" + name, contents: seed)
    }
}

/// A valid HDF5 file: root attribute `model_config` = `json` (variable-length string, as
/// tf.keras and Keras 3 write it) and, if `weights` is given, `model_weights` linking to
/// `weights:/model_weights`.
func writeModelFile(json: String, weights: String?) -> Bool {
    chdf5_silence_errors()
    let file = H5Fcreate(scratch, chdf5_f_acc_trunc(), chdf5_p_default(), chdf5_p_default())
    guard file >= 0 else { return false }
    defer { H5Fclose(file) }
    let space = H5Screate(H5S_SCALAR)
    let type = H5Tcopy(chdf5_t_c_s1())
    defer { H5Tclose(type); H5Sclose(space) }
    H5Tset_size(type, chdf5_t_variable())
    let attribute = H5Acreate2(file, "model_config", type, space, chdf5_p_default(), chdf5_p_default())
    guard attribute >= 0 else { return false }
    defer { H5Aclose(attribute) }
    let written = json.withCString { text -> herr_t in
        var pointer: UnsafePointer<CChar>? = text
        return H5Awrite(attribute, type, &pointer)
    }
    guard written >= 0 else { return false }
    if let weights {
        guard H5Lcreate_external(weights, "/model_weights", file, "model_weights",
                                 chdf5_p_default(), chdf5_p_default()) >= 0 else { return false }
    }
    return true
}

/// Loads the model the input describes; runs it once on 0.5s when it is small enough to be quick.
@discardableResult
func check(_ data: Data) -> String {
    guard let selector = data.first else { return "empty input" }
    let choice = Int(selector) % (weightFiles.count + 1)
    let json = String(decoding: data.dropFirst(), as: UTF8.self)
    guard writeModelFile(json: json, weights: choice == 0 ? nil : weightFiles[choice - 1]) else {
        return "could not write the model file"
    }
    return loadAndRunIfSmall(path: scratch)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    check(bytes.map { Data(bytes: $0, count: size) } ?? Data())
    return 0
}

@main
enum Main {
    static func main() throws {
        if let directory = environment["FUZZ_SEED_OUT"], !directory.isEmpty { writeSeeds(to: directory) }
        try fuzzMain(fuzz) { check(try Data(contentsOf: URL(fileURLWithPath: $0))) }
    }
}
