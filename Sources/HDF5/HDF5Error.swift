/// Everything that can go wrong while reading an HDF5 file. Each case carries the file and the
/// object it concerns so the command-line tool can print one line that a user can act on.
public enum HDF5Error: Error, Equatable, CustomStringConvertible {
    /// The path does not exist, is a directory, or cannot be read.
    case cannotOpen(file: String, reason: String)
    /// The file exists but is not an HDF5 file (or its superblock is damaged).
    case notHDF5(file: String)
    /// A group, dataset or attribute the caller asked for is absent.
    case missing(file: String, object: String)
    /// An object exists but is not of the expected kind (e.g. an integer attribute where text was expected).
    case wrongType(file: String, object: String, expected: String)
    /// A dataset or attribute declares more elements than the reader is willing to allocate.
    case tooLarge(file: String, object: String, elements: Int, limit: Int)
    /// libhdf5 faulted on the file's contents (a corrupt heap or index). Only ever printed, by
    /// the read guard, just before the process exits (see chdf5_guard.h).
    case corrupt(file: String, object: String)
    /// libhdf5 reported a failure while reading (typically a truncated or corrupt file).
    case readFailed(file: String, object: String)

    public var description: String {
        switch self {
        case let .cannotOpen(file, reason): return "\(file): cannot open: \(reason)"
        case let .notHDF5(file): return "\(file): not an HDF5 file (or its header is damaged)"
        case let .missing(file, object): return "\(file): missing \(object)"
        case let .wrongType(file, object, expected): return "\(file): \(object) is not \(expected)"
        case let .tooLarge(file, object, elements, limit):
            return "\(file): \(object) declares \(elements) elements, more than the limit of \(limit)"
        case let .corrupt(file, object): return "\(file): corrupt data in \(object) (the HDF5 library could not read it safely)"
        case let .readFailed(file, object): return "\(file): cannot read \(object) (truncated or corrupt file?)"
        }
    }
}
