import CHDF5
import CHDF5Guard
import FoundationEssentials

/// A read-only HDF5 file. Objects opened from it keep it alive.
///
/// libhdf5 (Debian's serial build) is not thread-safe: open and read models from one thread at
/// a time. Inference never touches HDF5; everything is copied out at load.
public final class HDF5File {
    public let path: String
    let id: hid_t

    /// Upper bound on elements in any one dataset or attribute read, so a hostile file cannot
    /// make the reader allocate an arbitrary amount of memory (1 GiB of floats).
    public static let maxElements = 1 << 28

    /// Address space one attribute read may add (see chdf5.h). Keras's largest attributes are
    /// JSON configs of a few hundred kilobytes; one that claims more fails instead of being
    /// allocated.
    static let attributeReadBudget = 64 << 20

    /// Address space one dataset read may add besides its destination, which is allocated (and
    /// size-checked) before the read: libhdf5's conversion buffers and chunk cache.
    static let datasetReadBudget = 256 << 20

    /// Address space other threads may map while a read runs, on top of its budget: the cap is
    /// on the whole process, and a thread that starts or first allocates meanwhile reserves a
    /// 64 MB malloc arena and an 8 MB stack (seen: the signal watcher's start-up failing the
    /// read of `model_config` on a loaded machine). Room for one arena and eight stacks; the
    /// absurd claims the cap is for (a 2^28-byte string in a corrupt global heap) still fail.
    static let otherThreadsAllowance = 128 << 20

    /// The address-space caps the guard applies: each read's budget plus `otherThreadsAllowance`.
    static let attributeReadCap = attributeReadBudget + otherThreadsAllowance
    static let datasetReadCap = datasetReadBudget + otherThreadsAllowance

    /// Longest one read may take before the guard's watchdog ends it (see chdf5_guard.h). An
    /// attribute is at most a few megabytes; a dataset, at most `maxElements` floats read from
    /// a local file.
    static let attributeReadSeconds: UInt32 = 5
    static let datasetReadSeconds: UInt32 = 60

    public init(path: String) throws {
        self.path = path
        var isDir = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw HDF5Error.cannotOpen(file: path, reason: "no such file")
        }
        if isDir { throw HDF5Error.cannotOpen(file: path, reason: "is a directory") }
        // A named pipe or device would block (or never end) when libhdf5 opens it.
        if let type = try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType,
           type != .typeRegular {
            throw HDF5Error.cannotOpen(file: path, reason: "not a regular file")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw HDF5Error.cannotOpen(file: path, reason: "permission denied")
        }
        chdf5_silence_errors()
        guard H5Fis_hdf5(path) > 0 else { throw HDF5Error.notHDF5(file: path) }
        let id = H5Fopen(path, chdf5_f_acc_rdonly(), chdf5_p_default())
        guard id >= 0 else { throw HDF5Error.notHDF5(file: path) }
        self.id = id
    }

    /// Closing also hands back the blocks libhdf5 keeps on its own free lists for reuse: a
    /// model is read once, and those lists otherwise hold ~0.8 MB for the rest of a run.
    deinit {
        H5Fclose(id)
        H5garbage_collect()
    }

    /// The root group "/".
    public var root: HDF5Group {
        get throws { try HDF5Group(file: self, path: "/") }
    }
}

/// An open HDF5 object (group or dataset) that closes itself.
public class HDF5Object {
    public let file: HDF5File
    /// The object's absolute path inside the file, used in error messages.
    public let path: String
    let id: hid_t

    init(file: HDF5File, path: String, id: hid_t) {
        self.file = file
        self.path = path
        self.id = id
    }

    deinit { H5Oclose(id) }

    func child(_ name: String) -> String {
        path == "/" ? "/" + name : path + "/" + name
    }

    /// Names of this object's attributes.
    public func attributeNames() throws -> [String] {
        let found = chdf5_attribute_count(id)
        guard found >= 0 else { throw HDF5Error.readFailed(file: file.path, object: path) }
        let count = Int(found)
        guard count <= 65_536 else {
            throw HDF5Error.tooLarge(file: file.path, object: "attributes of \(path)", elements: count, limit: 65_536)
        }
        return try (0..<count).map { index in
            let attr = H5Aopen_by_idx(id, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, hsize_t(index), chdf5_p_default(), chdf5_p_default())
            let opened = attr >= 0 ? attr : H5Aopen_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(index), chdf5_p_default(), chdf5_p_default())
            guard opened >= 0 else { throw HDF5Error.readFailed(file: file.path, object: "attributes of \(path)") }
            defer { H5Aclose(opened) }
            let length = H5Aget_name(opened, 0, nil)
            guard length >= 0, length < 65_536 else { throw HDF5Error.readFailed(file: file.path, object: "attributes of \(path)") }
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            H5Aget_name(opened, buffer.count, &buffer)
            return String(cString: buffer)
        }
    }

    public func hasAttribute(_ name: String) -> Bool {
        H5Aexists(id, name) > 0
    }

    /// Reads a text attribute holding one string (fixed- or variable-length), or nil if absent.
    public func stringAttribute(_ name: String) throws -> String? {
        guard let strings = try stringArrayAttribute(name) else { return nil }
        guard strings.count == 1 else {
            throw HDF5Error.wrongType(file: file.path, object: attributeLabel(name), expected: "a single string")
        }
        return strings[0]
    }

    /// Reads a text attribute holding strings (a scalar gives one element), or nil if absent.
    /// Accepts fixed-length strings (h5py's numpy `S` arrays, as Keras 2 writes) and
    /// variable-length strings (Keras 3).
    public func stringArrayAttribute(_ name: String) throws -> [String]? {
        try withAttribute(name) { attr, space, label in try readStrings(attr, space: space, label: label) }
    }

    private func readStrings(_ attr: hid_t, space: hid_t, label: String) throws -> [String] {
        let type = H5Aget_type(attr)
        guard type >= 0 else { throw HDF5Error.readFailed(file: file.path, object: label) }
        defer { H5Tclose(type) }
        guard H5Tget_class(type) == H5T_STRING else {
            throw HDF5Error.wrongType(file: file.path, object: label, expected: "text")
        }
        let count = try elementCount(space: space, label: label)

        if H5Tis_variable_str(type) > 0 {
            let memType = H5Tcopy(chdf5_t_c_s1())
            defer { H5Tclose(memType) }
            H5Tset_size(memType, chdf5_t_variable())
            H5Tset_cset(memType, H5Tget_cset(type))
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            // Registered before the read: a read that fails part-way has already allocated the
            // strings it converted (the rest are still nil, which reclaiming skips).
            defer { _ = chdf5_reclaim_vlen(memType, space, &pointers) }
            try guardedRead(label) {
                chdf5_guarded_attribute_read(attr, memType, &pointers, HDF5File.attributeReadCap,
                                             HDF5File.attributeReadSeconds, $0)
            }
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }

        let size = H5Tget_size(type)
        guard size > 0, size <= HDF5File.maxElements / max(count, 1) else {
            throw HDF5Error.tooLarge(file: file.path, object: label, elements: count * max(size, 1), limit: HDF5File.maxElements)
        }
        var bytes = [UInt8](repeating: 0, count: count * size)
        try guardedRead(label) {
            chdf5_guarded_attribute_read(attr, type, &bytes, HDF5File.attributeReadCap, HDF5File.attributeReadSeconds, $0)
        }
        return (0..<count).map { index in
            let slice = bytes[(index * size)..<((index + 1) * size)]
            let end = slice.firstIndex(of: 0) ?? slice.endIndex
            return String(decoding: slice[slice.startIndex..<end], as: UTF8.self)
        }
    }

    /// Number of elements an attribute holds (a scalar holds one), or nil if it is absent.
    /// Lets a caller accept an empty attribute of any type: Keras 3 writes `weight_names` of a
    /// layer without weights as an empty float64 array, not as text.
    public func attributeElementCount(_ name: String) throws -> Int? {
        try withAttribute(name) { _, space, label in try elementCount(space: space, label: label) }
    }

    /// Opens attribute `name` and its dataspace for `body`, closing both after; nil if absent.
    private func withAttribute<T>(_ name: String, _ body: (_ attr: hid_t, _ space: hid_t, _ label: String) throws -> T) throws -> T? {
        guard hasAttribute(name) else { return nil }
        let label = attributeLabel(name)
        let attr = H5Aopen(id, name, chdf5_p_default())
        guard attr >= 0 else { throw HDF5Error.readFailed(file: file.path, object: label) }
        defer { H5Aclose(attr) }
        let space = H5Aget_space(attr)
        guard space >= 0 else { throw HDF5Error.readFailed(file: file.path, object: label) }
        defer { H5Sclose(space) }
        return try body(attr, space, label)
    }

    /// A text attribute that h5py may have split: attributes over 64 KiB (Keras's `layer_names`
    /// and `weight_names` of large models) are stored as `name0`, `name1`, ... instead of
    /// `name`. Returns the strings of `name`, or of its chunks joined in order; nil when
    /// neither exists.
    public func chunkedStringArrayAttribute(_ name: String) throws -> [String]? {
        if let whole = try stringArrayAttribute(name) { return whole }
        var strings: [String]?
        var index = 0
        while let chunk = try stringArrayAttribute("\(name)\(index)") {
            strings = (strings ?? []) + chunk
            index += 1
        }
        return strings
    }

    func attributeLabel(_ name: String) -> String { "attribute '\(name)' of \(path)" }

    /// Runs one guarded libhdf5 read (see chdf5_guard.h). A failed read becomes an error naming
    /// the file and the object. A fault inside libhdf5 cannot be recovered from in-process: the
    /// guard prints the same one-line error (prepared here, before the read) and exits with 1.
    func guardedRead(_ label: String, _ read: (UnsafePointer<CChar>) -> herr_t) throws {
        let program = ProcessInfo.processInfo.processName
        let message = "\(program): \(HDF5Error.corrupt(file: file.path, object: label))\n"
        let status = message.withCString { read($0) }
        guard status >= 0 else { throw HDF5Error.readFailed(file: file.path, object: label) }
    }

    func elementCount(space: hid_t, label: String) throws -> Int {
        let rank = H5Sget_simple_extent_ndims(space)
        guard rank >= 0, rank <= 32 else { throw HDF5Error.readFailed(file: file.path, object: label) }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        if rank > 0 { H5Sget_simple_extent_dims(space, &dims, nil) }
        var total = 1
        for dim in dims {
            guard dim <= UInt64(HDF5File.maxElements) else {
                throw HDF5Error.tooLarge(file: file.path, object: label, elements: Int(clamping: dim), limit: HDF5File.maxElements)
            }
            let (product, overflow) = total.multipliedReportingOverflow(by: Int(dim))
            guard !overflow, product <= HDF5File.maxElements else {
                throw HDF5Error.tooLarge(file: file.path, object: label, elements: overflow ? Int.max : product, limit: HDF5File.maxElements)
            }
            total = product
        }
        return total
    }
}

/// An HDF5 group: a folder of groups and datasets.
public final class HDF5Group: HDF5Object {
    init(file: HDF5File, path: String) throws {
        let id = H5Gopen2(file.id, path, chdf5_p_default())
        guard id >= 0 else { throw HDF5Error.missing(file: file.path, object: "group \(path)") }
        super.init(file: file, path: path, id: id)
    }

    /// True if a link of this name exists directly in this group (a '/'-separated path is
    /// followed one level at a time).
    public func contains(_ name: String) -> Bool {
        var prefix = ""
        for component in name.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += (prefix.isEmpty ? "" : "/") + component
            guard H5Lexists(id, prefix, chdf5_p_default()) > 0 else { return false }
        }
        return !prefix.isEmpty
    }

    /// The group at a path relative to this one.
    public func group(_ name: String) throws -> HDF5Group {
        guard contains(name) else { throw HDF5Error.missing(file: file.path, object: "group \(child(name))") }
        guard chdf5_object_type(id, name) == chdf5_type_group() else {
            throw HDF5Error.wrongType(file: file.path, object: child(name), expected: "a group")
        }
        return try HDF5Group(file: file, path: child(name))
    }

    /// The dataset at a path relative to this one.
    public func dataset(_ name: String) throws -> HDF5Dataset {
        guard contains(name) else { throw HDF5Error.missing(file: file.path, object: "dataset \(child(name))") }
        guard chdf5_object_type(id, name) == chdf5_type_dataset() else {
            throw HDF5Error.wrongType(file: file.path, object: child(name), expected: "a dataset")
        }
        return try HDF5Dataset(file: file, path: child(name))
    }

    /// Names of the links in this group, in name order.
    public func childNames() throws -> [String] {
        var info = H5G_info_t()
        guard H5Gget_info(id, &info) >= 0 else { throw HDF5Error.readFailed(file: file.path, object: "group \(path)") }
        let count = Int(info.nlinks)
        guard count <= 1_000_000 else {
            throw HDF5Error.tooLarge(file: file.path, object: "group \(path)", elements: count, limit: 1_000_000)
        }
        return try (0..<count).map { index in
            let length = H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(index), nil, 0, chdf5_p_default())
            guard length >= 0, length < 65_536 else { throw HDF5Error.readFailed(file: file.path, object: "group \(path)") }
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(index), &buffer, buffer.count, chdf5_p_default())
            return String(cString: buffer)
        }
    }
}

/// An HDF5 dataset of numbers.
public final class HDF5Dataset: HDF5Object {
    /// Dimensions, outermost first (row-major, as h5py and numpy see them).
    public let shape: [Int]

    init(file: HDF5File, path: String) throws {
        let id = H5Dopen2(file.id, path, chdf5_p_default())
        guard id >= 0 else { throw HDF5Error.missing(file: file.path, object: "dataset \(path)") }
        let space = H5Dget_space(id)
        guard space >= 0 else {
            H5Dclose(id)
            throw HDF5Error.readFailed(file: file.path, object: "dataset \(path)")
        }
        defer { H5Sclose(space) }
        let rank = H5Sget_simple_extent_ndims(space)
        guard rank >= 0, rank <= 32 else {
            H5Dclose(id)
            throw HDF5Error.readFailed(file: file.path, object: "dataset \(path)")
        }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        if rank > 0 { H5Sget_simple_extent_dims(space, &dims, nil) }
        self.shape = dims.map { Int(clamping: $0) }
        super.init(file: file, path: path, id: id)
    }

    /// Number of elements; saturates instead of overflowing for absurd shapes.
    public var elementCount: Int {
        shape.reduce(1) { total, dim in
            let (product, overflow) = total.multipliedReportingOverflow(by: dim)
            return overflow ? Int.max : product
        }
    }

    /// Reads the whole dataset converted to 32-bit floats (libhdf5 converts from float16,
    /// float64 or integers). Refuses datasets over `HDF5File.maxElements`.
    public func readFloats() throws -> [Float] {
        let count = elementCount
        guard count <= HDF5File.maxElements else {
            throw HDF5Error.tooLarge(file: file.path, object: "dataset \(path)", elements: count, limit: HDF5File.maxElements)
        }
        let type = H5Dget_type(id)
        guard type >= 0 else { throw HDF5Error.readFailed(file: file.path, object: "dataset \(path)") }
        defer { H5Tclose(type) }
        let typeClass = H5Tget_class(type)
        guard typeClass == H5T_FLOAT || typeClass == H5T_INTEGER else {
            throw HDF5Error.wrongType(file: file.path, object: "dataset \(path)", expected: "numeric")
        }
        if count == 0 { return [] }
        var values = [Float](repeating: 0, count: count)
        try values.withUnsafeMutableBytes { buffer in
            try guardedRead("dataset \(path)") {
                chdf5_guarded_dataset_read(id, chdf5_t_native_float(), buffer.baseAddress, HDF5File.datasetReadCap, HDF5File.datasetReadSeconds, $0)
            }
        }
        return values
    }
}
