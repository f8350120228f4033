import OpenCVShim

/// A failure reported by the OpenCV shim: the shim's status and its one-line message.
public struct OpenCVError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Equatable, Sendable {
        case failed, endOfStream, timedOut, invalidArgument, notFound
        /// A video file whose data ends early or does not decode; the frames before were read.
        case corrupt
    }

    public let kind: Kind
    public let message: String

    public var description: String { message }

    package init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    package static func invalid(_ message: String) -> OpenCVError { OpenCVError(kind: .invalidArgument, message: message) }

    package init(status: cvs_status, error: cvs_error) {
        switch status {
        case CVS_END: kind = .endOfStream
        case CVS_TIMEOUT: kind = .timedOut
        case CVS_INVALID_ARGUMENT: kind = .invalidArgument
        case CVS_NOT_FOUND: kind = .notFound
        case CVS_CORRUPT: kind = .corrupt
        default: kind = .failed
        }
        var copy = error
        message = withUnsafeBytes(of: &copy.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

/// Calls a shim function with a fresh error struct and throws when it does not return CVS_OK.
@inline(__always)
package func shimCall(_ body: (UnsafeMutablePointer<cvs_error>) -> cvs_status) throws {
    var error = cvs_error()
    let status = body(&error)
    if status != CVS_OK { throw OpenCVError(status: status, error: error) }
}
