import FaceDetection
import FoundationEssentials

/// Finds the model that ships with emotion-live, wherever the binary runs from (`ShippedFiles`:
/// a build folder in the checkout, an install prefix), or anywhere with `EMOTION_LIVE_MODEL` set.
public enum BundledModel {
    public static let fileName = "emotion-cnn.h5"
    public static let environmentVariable = "EMOTION_LIVE_MODEL"

    /// Candidate paths, most specific first: `EMOTION_LIVE_MODEL`, then the shipped places.
    public static func candidates(executablePath: String, environment: [String: String]) -> [String] {
        var paths: [String] = []
        if let override = environment[environmentVariable], !override.isEmpty { paths.append(override) }
        return paths + ShippedFiles.candidates(fileName, executablePath: executablePath)
    }

    /// The first candidate that exists, or nil.
    public static func locate(
        executablePath: String = CommandLine.arguments.first ?? "",
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String? {
        candidates(executablePath: ShippedFiles.resolved(executablePath), environment: environment)
            .first { FileManager.default.fileExists(atPath: $0) }
    }
}
