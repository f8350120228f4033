import Foundation

/// A fresh directory under the system's temporary directory, removed with everything in it
/// when the value goes away. Tests write generated files here, never into the checkout.
public final class TemporaryDirectory {
    public let path: String

    public init(prefix: String = "emotion-live-test") throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/" + prefix + "-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// The path of a file name inside this directory.
    public func file(_ name: String) -> String { path + "/" + name }
}
