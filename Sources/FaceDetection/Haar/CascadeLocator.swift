import FoundationEssentials

/// Finds Haar cascade files where Debian's opencv-data (and source builds) install them.
public enum CascadeLocator {
    public static let defaultFileName = "haarcascade_frontalface_default.xml"

    public static let searchDirectories = [
        "/usr/share/opencv4/haarcascades",
        "/usr/share/opencv/haarcascades",
        "/usr/local/share/opencv4/haarcascades",
    ]

    /// The path of `fileName` in the first directory that has it.
    public static func locate(_ fileName: String = defaultFileName,
                              in directories: [String] = searchDirectories) -> String? {
        directories.map { PathText.join($0, fileName) }
            .first { FileManager.default.isReadableFile(atPath: $0) }
    }
}
