import FoundationEssentials

/// Where YuNet's network file is: the one given, or `yunet-n.h5` shipped beside the emotion
/// model (`models/`, `PREFIX/share/emotion-live/`).
public enum YuNetFiles {
    public static let fileName = "yunet-n.h5"

    /// `path` when it exists, else the shipped file; a missing file is named.
    public static func locate(path: String?) throws -> String {
        if let path {
            guard FileManager.default.fileExists(atPath: path) else { throw DetectorError.fileMissing(path: path, reason: "no such file") }
            return path
        }
        guard let found = ShippedFiles.locate(fileName) else {
            throw DetectorError.fileMissing(path: fileName, reason: "not found beside the emotion model")
        }
        return found
    }
}
