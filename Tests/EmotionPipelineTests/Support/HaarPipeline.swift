@testable import EmotionPipeline

extension Pipeline {
    /// A pipeline on Haar, followed between whole-frame searches (`HaarFrameDetector`): the
    /// tests' shorthand; runs build theirs with `assemblePipeline`.
    convenience init(source: FrameSource, detector: HaarDetector, preprocessor: FacePreprocessor,
                     classifier: FaceClassifier, tracking: FaceTracking? = nil, sinks: [FrameSink]) {
        self.init(source: source, finder: HaarFrameDetector(detector: detector), preprocessor: preprocessor,
                  classifier: classifier, tracking: tracking, sinks: sinks)
    }
}
