// FaceDetection's types (Image, FaceBox, DetectorOptions, FaceFinder...) are part of this
// library's API: frames, results and run options are written in them. So importing
// EmotionPipeline brings them along, and a user of the pipeline needs one import.
@_exported import FaceDetection
