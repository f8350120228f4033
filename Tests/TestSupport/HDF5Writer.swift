// A small HDF5 writer for tests: groups, string and number attributes, float and integer
// datasets, written through the libhdf5 C API. Tests use it to build model files (valid and
// deliberately broken) at test time instead of committing binary fixtures.
//
// Not a general-purpose writer: no compression, no partial writes, one file open at a time per
// writer. libhdf5 (Debian's serial build) is not thread-safe; write files from one thread.
import CHDF5
import Foundation

/// A libhdf5 call failed while writing a test file. Carries the file and the object.
public struct HDF5WriterError: Error, CustomStringConvertible {
    public let file: String
    public let object: String
    public let operation: String
    public var description: String { "\(file): cannot \(operation) \(object)" }
}

/// How a text attribute is stored. h5py writes numpy `S` arrays as fixed-length, null-padded
/// strings (Keras 2's `layer_names`, `weight_names`); Python `str` values as variable-length
/// strings (tf.keras 2's `model_config`, everything in Keras 3).
public enum HDF5StringStorage: Sendable {
    case fixedLength
    case variableLength
}

/// Writes one new HDF5 file, truncating any file already at `path`. Close it (or let it go) before
/// reading the file back.
public final class HDF5Writer {
    public let path: String
    private var file: hid_t

    public init(path: String) throws {
        self.path = path
        chdf5_silence_errors()
        file = H5Fcreate(path, chdf5_f_acc_trunc(), chdf5_p_default(), chdf5_p_default())
        guard file >= 0 else { throw HDF5WriterError(file: path, object: path, operation: "create file") }
    }

    deinit { close() }

    /// Flushes and closes the file; later calls do nothing.
    public func close() {
        if file >= 0 { H5Fclose(file) }
        file = -1
    }

    // MARK: - Groups

    /// Creates the group at an absolute path, and any missing groups above it.
    public func createGroup(_ groupPath: String) throws {
        var prefix = ""
        for component in groupPath.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += "/" + component
            if H5Lexists(file, prefix, chdf5_p_default()) > 0 { continue }
            let group = H5Gcreate2(file, prefix, chdf5_p_default(), chdf5_p_default(), chdf5_p_default())
            guard group >= 0 else { throw failure("create group", prefix) }
            H5Gclose(group)
        }
    }

    // MARK: - Attributes

    /// A scalar text attribute on the object (group or dataset) at `object`.
    public func setAttribute(_ name: String, on object: String = "/", string: String,
                             storage: HDF5StringStorage = .variableLength) throws {
        try writeStrings([string], scalar: true, name: name, on: object, storage: storage)
    }

    /// A one-dimensional text attribute (an empty array gives a zero-length dataspace).
    public func setAttribute(_ name: String, on object: String = "/", strings: [String],
                             storage: HDF5StringStorage = .fixedLength) throws {
        try writeStrings(strings, scalar: false, name: name, on: object, storage: storage)
    }

    /// A one-dimensional float64 attribute. h5py stores an empty Python list this way, which is
    /// what Keras 2 writes as `weight_names` for a layer without weights.
    public func setAttribute(_ name: String, on object: String = "/", doubles: [Double]) throws {
        try withObject(object) { target in
            let space = try simpleSpace([doubles.count], label: "attribute \(name) of \(object)")
            defer { H5Sclose(space) }
            let attr = H5Acreate2(target, name, chdf5_t_native_double(), space, chdf5_p_default(), chdf5_p_default())
            guard attr >= 0 else { throw failure("create attribute \(name) of", object) }
            defer { H5Aclose(attr) }
            var values = doubles.isEmpty ? [0] : doubles
            guard H5Awrite(attr, chdf5_t_native_double(), &values) >= 0 else {
                throw failure("write attribute \(name) of", object)
            }
        }
    }

    /// A scalar int64 attribute (for tests that put a number where text belongs).
    public func setAttribute(_ name: String, on object: String = "/", int64: Int64) throws {
        try withObject(object) { target in
            let space = H5Screate(H5S_SCALAR)
            guard space >= 0 else { throw failure("create dataspace for", object) }
            defer { H5Sclose(space) }
            let attr = H5Acreate2(target, name, chdf5_t_native_int64(), space, chdf5_p_default(), chdf5_p_default())
            guard attr >= 0 else { throw failure("create attribute \(name) of", object) }
            defer { H5Aclose(attr) }
            var value = int64
            guard H5Awrite(attr, chdf5_t_native_int64(), &value) >= 0 else {
                throw failure("write attribute \(name) of", object)
            }
        }
    }

    // MARK: - Datasets

    /// A float32 dataset (stored little-endian IEEE, as Keras writes weights), row-major.
    public func writeDataset(_ datasetPath: String, shape: [Int], floats: [Float]) throws {
        precondition(shape.reduce(1, *) == floats.count, "\(datasetPath): \(floats.count) values for shape \(shape)")
        try writeNumbers(datasetPath, shape: shape, type: chdf5_t_native_float(), bytes: floats.withUnsafeBytes { Array($0) })
    }

    /// An int64 dataset (a reader asked for floats must convert it).
    public func writeDataset(_ datasetPath: String, shape: [Int], int64s: [Int64]) throws {
        precondition(shape.reduce(1, *) == int64s.count, "\(datasetPath): \(int64s.count) values for shape \(shape)")
        try writeNumbers(datasetPath, shape: shape, type: chdf5_t_native_int64(), bytes: int64s.withUnsafeBytes { Array($0) })
    }

    /// A chunked float32 dataset that declares `shape` but has no storage allocated: nothing is
    /// ever written to it, so a file can claim trillions of elements while staying a few KiB.
    /// Reading it would make libhdf5 fill the whole declared extent with zeros.
    public func createUnallocatedDataset(_ datasetPath: String, shape: [Int], chunk: [Int]) throws {
        try createParents(of: datasetPath)
        let space = try simpleSpace(shape, label: datasetPath)
        defer { H5Sclose(space) }
        let plist = H5Pcreate(chdf5_p_dataset_create())
        guard plist >= 0 else { throw failure("create property list for", datasetPath) }
        defer { H5Pclose(plist) }
        var chunkDims = chunk.map { hsize_t($0) }
        guard H5Pset_chunk(plist, Int32(chunk.count), &chunkDims) >= 0,
              H5Pset_alloc_time(plist, H5D_ALLOC_TIME_LATE) >= 0,
              H5Pset_fill_time(plist, H5D_FILL_TIME_NEVER) >= 0 else {
            throw failure("set chunked layout for", datasetPath)
        }
        let dataset = H5Dcreate2(file, datasetPath, chdf5_t_native_float(), space, chdf5_p_default(), plist, chdf5_p_default())
        guard dataset >= 0 else { throw failure("create dataset", datasetPath) }
        H5Dclose(dataset)
    }

    // MARK: - Internals

    private func failure(_ operation: String, _ object: String) -> HDF5WriterError {
        HDF5WriterError(file: path, object: object, operation: operation)
    }

    private func withObject(_ objectPath: String, _ body: (hid_t) throws -> Void) throws {
        let object = H5Oopen(file, objectPath, chdf5_p_default())
        guard object >= 0 else { throw failure("open", objectPath) }
        defer { H5Oclose(object) }
        try body(object)
    }

    private func simpleSpace(_ shape: [Int], label: String) throws -> hid_t {
        var dims = shape.map { hsize_t($0) }
        let space = H5Screate_simple(Int32(dims.count), &dims, nil)
        guard space >= 0 else { throw failure("create dataspace for", label) }
        return space
    }

    private func createParents(of objectPath: String) throws {
        let components = objectPath.split(separator: "/", omittingEmptySubsequences: true)
        guard components.count > 1 else { return }
        try createGroup(components.dropLast().joined(separator: "/"))
    }

    private func writeNumbers(_ datasetPath: String, shape: [Int], type: hid_t, bytes: [UInt8]) throws {
        try createParents(of: datasetPath)
        let space = try simpleSpace(shape, label: datasetPath)
        defer { H5Sclose(space) }
        let dataset = H5Dcreate2(file, datasetPath, type, space, chdf5_p_default(), chdf5_p_default(), chdf5_p_default())
        guard dataset >= 0 else { throw failure("create dataset", datasetPath) }
        defer { H5Dclose(dataset) }
        guard !bytes.isEmpty else { return }
        let status = bytes.withUnsafeBytes {
            H5Dwrite(dataset, type, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), $0.baseAddress)
        }
        guard status >= 0 else { throw failure("write dataset", datasetPath) }
    }

    private func writeStrings(_ strings: [String], scalar: Bool, name: String, on object: String,
                              storage: HDF5StringStorage) throws {
        try withObject(object) { target in
            let label = "attribute \(name) of \(object)"
            let space: hid_t
            if scalar { space = H5Screate(H5S_SCALAR) } else { space = try simpleSpace([strings.count], label: label) }
            guard space >= 0 else { throw failure("create dataspace for", label) }
            defer { H5Sclose(space) }
            let type = H5Tcopy(chdf5_t_c_s1())
            defer { H5Tclose(type) }
            let isASCII = strings.allSatisfy { $0.utf8.allSatisfy { $0 < 0x80 } }
            H5Tset_cset(type, isASCII ? H5T_CSET_ASCII : H5T_CSET_UTF8)

            switch storage {
            case .variableLength:
                H5Tset_size(type, chdf5_t_variable())
                H5Tset_strpad(type, H5T_STR_NULLTERM)
                let attr = H5Acreate2(target, name, type, space, chdf5_p_default(), chdf5_p_default())
                guard attr >= 0 else { throw failure("create", label) }
                defer { H5Aclose(attr) }
                var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
                defer { pointers.forEach { free($0) } }
                if pointers.isEmpty { pointers = [nil] }
                guard H5Awrite(attr, type, &pointers) >= 0 else { throw failure("write", label) }

            case .fixedLength:
                // numpy's `S` dtype: every element as long as the longest, null-padded, no terminator.
                let width = max(1, strings.map { $0.utf8.count }.max() ?? 1)
                H5Tset_size(type, width)
                H5Tset_strpad(type, H5T_STR_NULLPAD)
                let attr = H5Acreate2(target, name, type, space, chdf5_p_default(), chdf5_p_default())
                guard attr >= 0 else { throw failure("create", label) }
                defer { H5Aclose(attr) }
                var bytes = [UInt8](repeating: 0, count: max(1, strings.count) * width)
                for (index, string) in strings.enumerated() {
                    for (offset, byte) in string.utf8.enumerated() { bytes[index * width + offset] = byte }
                }
                guard H5Awrite(attr, type, &bytes) >= 0 else { throw failure("write", label) }
            }
        }
    }
}
