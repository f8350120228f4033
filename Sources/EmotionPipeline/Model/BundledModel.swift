import FoundationEssentials

/// Finds the model that ships with emotion-live, wherever the binary runs from: a build folder
/// in the checkout (`.build/release/emotion-live`), an install prefix (`PREFIX/bin` with the model
/// in `PREFIX/share/emotion-live`), or anywhere with `EMOTION_LIVE_MODEL` set.
public enum BundledModel {
    public static let fileName = "emotion-cnn.h5"
    public static let environmentVariable = "EMOTION_LIVE_MODEL"

    /// Candidate paths, most specific first. `fileName`: another file shipped beside the model
    /// (the MTCNN detector's networks); `EMOTION_LIVE_MODEL` names the emotion model only.
    public static func candidates(executablePath: String, environment: [String: String],
                                  fileName: String = BundledModel.fileName) -> [String] {
        var paths: [String] = []
        if fileName == Self.fileName, let override = environment[environmentVariable], !override.isEmpty { paths.append(override) }
        let executable = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath()
        let binDirectory = executable.deletingLastPathComponent()
        paths.append(binDirectory.deletingLastPathComponent()
            .appendingPathComponent("share/emotion-live/\(fileName)").path)
        var directory = binDirectory
        for _ in 0..<6 {
            paths.append(directory.appendingPathComponent("models/\(fileName)").path)
            directory = directory.deletingLastPathComponent()
        }
        paths.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .appendingPathComponent("models/\(fileName)").path)
        return paths
    }

    /// The first candidate that exists, or nil.
    public static func locate(
        executablePath: String = CommandLine.arguments.first ?? "",
        environment: [String: String] = ProcessInfo.processInfo.environment,
        fileName: String = BundledModel.fileName
    ) -> String? {
        let resolved = executablePath.contains("/") ? executablePath : (Self.executableFromProc() ?? executablePath)
        return candidates(executablePath: resolved, environment: environment, fileName: fileName)
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    /// The running binary's path when it was started through PATH lookup.
    private static func executableFromProc() -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    }
}
