import FoundationEssentials

/// Finds the files that ship with emotion-live (the emotion model, the detectors' networks),
/// wherever the binary runs from: a build folder in the checkout (`.build/release/emotion-live`,
/// the files in `models/`), or an install prefix (`PREFIX/bin`, the files in
/// `PREFIX/share/emotion-live`).
public enum ShippedFiles {
    /// Where `fileName` may be for a binary at `executablePath`, most specific first.
    public static func candidates(_ fileName: String, executablePath: String) -> [String] {
        let executable = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath()
        let binDirectory = executable.deletingLastPathComponent()
        var paths = [binDirectory.deletingLastPathComponent().appendingPathComponent("share/emotion-live/\(fileName)").path]
        var directory = binDirectory
        for _ in 0..<6 {
            paths.append(directory.appendingPathComponent("models/\(fileName)").path)
            directory = directory.deletingLastPathComponent()
        }
        paths.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .appendingPathComponent("models/\(fileName)").path)
        return paths
    }

    /// The first candidate for `fileName` that exists, or nil.
    public static func locate(_ fileName: String, executablePath: String = CommandLine.arguments.first ?? "") -> String? {
        candidates(fileName, executablePath: resolved(executablePath)).first { FileManager.default.fileExists(atPath: $0) }
    }

    /// `executablePath` as a path: the running binary's (`/proc/self/exe`) when it was started
    /// through PATH lookup and `argv[0]` is a bare name.
    public static func resolved(_ executablePath: String) -> String {
        guard !executablePath.contains("/") else { return executablePath }
        return (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? executablePath
    }
}
