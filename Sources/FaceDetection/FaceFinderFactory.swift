/// The detector stage a run asks for (`DetectorOptions.kind`): the one place that picks between
/// Haar, MTCNN and YuNet, for the run, `bench --video` and each server worker.
public func makeFaceFinder(options: DetectorOptions, cascadePath: String?) throws -> FaceFinder {
    switch options.kind {
    case .haar:
        return HaarFrameDetector(detector: try HaarDetector(cascadePath: cascadePath, options: options))
    case .mtcnn:
        let files = try MTCNNFiles.locate(directory: options.mtcnnDirectory)
        var settings = options.mtcnn
        if options.minFace >= 12 { settings.minFace = options.minFace }
        settings.border = options.mtcnnBorder ?? (options.stills ? MTCNNOptions().border : 0)
        let detector = try MTCNNDetector(pnet: files.pnet, rnet: files.rnet, onet: files.onet, options: settings)
        return MTCNNFrameDetector(detector: detector, detectEvery: options.detectEvery)
    case .yunet:
        let detector = try YuNetDetector(model: try YuNetFiles.locate(path: options.yunetModel), options: options.yunet)
        return YuNetFrameDetector(detector: detector, detectScale: options.detectScale,
                                  minFace: options.minFace, maxFace: options.maxFace)
    }
}
