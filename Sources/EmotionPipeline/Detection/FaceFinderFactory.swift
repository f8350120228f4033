import FoundationEssentials

/// The detector stage a run asks for (`DetectorOptions.kind`): the one place that picks between
/// Haar, MTCNN and YuNet, for the run, `bench --video` and each server worker.
public func makeFaceFinder(options: DetectorOptions, cascadePath: String?) throws -> FaceFinder {
    switch options.kind {
    case .haar:
        return FrameDetector(detector: try FaceDetector(cascadePath: cascadePath, options: options))
    case .mtcnn:
        let files = try MTCNNFiles.locate(directory: options.mtcnnDirectory)
        var settings = options.mtcnn
        if options.minFace >= 12 { settings.minFace = options.minFace }
        settings.border = options.mtcnnBorder ?? (options.stills ? MTCNNOptions().border : 0)
        let detector = try MTCNNDetector(pnet: files.pnet, rnet: files.rnet, onet: files.onet, options: settings)
        return MTCNNFrameDetector(detector: detector, detectEvery: options.detectEvery)
    case .yunet:
        let detector = try YuNetDetector(model: try locateYuNet(path: options.yunetModel), options: options.yunet)
        return YuNetFrameDetector(detector: detector, detectScale: options.detectScale,
                                  minFace: options.minFace, maxFace: options.maxFace)
    }
}

/// YuNet's network file: the one given, or `yunet-n.h5` shipped beside the emotion model.
public func locateYuNet(path: String?) throws -> String {
    if let path {
        guard FileManager.default.fileExists(atPath: path) else { throw PipelineError.detectorFileMissing(path: path, reason: "no such file") }
        return path
    }
    guard let found = BundledModel.locate(fileName: YuNetFiles.fileName) else {
        throw PipelineError.detectorFileMissing(path: YuNetFiles.fileName, reason: "not found beside the emotion model")
    }
    return found
}

/// The name YuNet's network ships under (`models/`, `PREFIX/share/emotion-live/`).
public enum YuNetFiles {
    public static let fileName = "yunet-n.h5"
}

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
        } else if let found = BundledModel.locate(fileName: "mtcnn-pnet.h5") {
            folder = URL(fileURLWithPath: found).deletingLastPathComponent().path
        } else {
            throw PipelineError.detectorFileMissing(path: "mtcnn-pnet.h5", reason: "not found beside the emotion model (give the folder with --mtcnn-models)")
        }
        let files = MTCNNFiles(directory: folder)
        for path in [files.pnet, files.rnet, files.onet] where !FileManager.default.fileExists(atPath: path) {
            throw PipelineError.detectorFileMissing(path: path, reason: "no such file")
        }
        return files
    }
}
