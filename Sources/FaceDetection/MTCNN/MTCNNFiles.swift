import FoundationEssentials

/// Where MTCNN's three network files are: a folder given, or the models shipped with emotion-live.
public struct MTCNNFiles: Equatable {
    public let pnet: String
    public let rnet: String
    public let onet: String

    public init(directory: String) {
        pnet = directory + "/mtcnn-pnet.h5"
        rnet = directory + "/mtcnn-rnet.h5"
        onet = directory + "/mtcnn-onet.h5"
    }

    /// The files in `directory`, or beside the bundled model; a missing file is named.
    public static func locate(directory: String?) throws -> MTCNNFiles {
        let folder: String
        if let directory {
            folder = directory
        } else if let found = ShippedFiles.locate("mtcnn-pnet.h5") {
            folder = URL(fileURLWithPath: found).deletingLastPathComponent().path
        } else {
            throw DetectorError.fileMissing(path: "mtcnn-pnet.h5", reason: "not found beside the emotion model (give the folder with --mtcnn-models)")
        }
        let files = MTCNNFiles(directory: folder)
        for path in [files.pnet, files.rnet, files.onet] where !FileManager.default.fileExists(atPath: path) {
            throw DetectorError.fileMissing(path: path, reason: "no such file")
        }
        return files
    }
}
