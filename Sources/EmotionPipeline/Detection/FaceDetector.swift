import Foundation
import OpenCVShim

/// Finds faces with an OpenCV Haar cascade (`detectMultiScale`) on a grey frame.
public final class FaceDetector {
    private let cascade: OpaquePointer
    public let cascadePath: String
    public var options: DetectorOptions
    /// Capacity of the result array; a frame with more faces grows it and detects again.
    private var capacity = 64

    /// Loads `cascadePath`, or the default frontal-face cascade when nil.
    public init(cascadePath: String? = nil, options: DetectorOptions = DetectorOptions()) throws {
        guard let path = cascadePath ?? CascadeLocator.locate() else {
            throw PipelineError.cascadeNotFound(searched: CascadeLocator.searchDirectories)
        }
        var out: OpaquePointer?
        do {
            try shimCall { cvs_cascade_load(path, &out, $0) }
        } catch let error as OpenCVError {
            let reason = error.kind == .notFound ? "no such file" : "not a Haar cascade file"
            throw PipelineError.cascadeUnreadable(path: path, reason: reason)
        }
        cascade = out!
        self.cascadePath = path
        self.options = options
    }

    deinit { cvs_cascade_destroy(cascade) }

    /// Faces in `grey` (a BGR image is converted first), in the cascade's order, none smaller
    /// than `minFace` or larger than `maxFace`.
    public func detect(in grey: Image) throws -> [FaceBox] {
        while true {
            var rects = [cvs_rect](repeating: cvs_rect(), count: capacity)
            var count = 0
            try rects.withUnsafeMutableBufferPointer { buffer in
                try shimCall {
                    cvs_cascade_detect(cascade, grey.handle, options.scaleFactor, Int32(options.minNeighbors),
                                       Int32(options.minFace), Int32(options.minFace),
                                       Int32(options.maxFace), Int32(options.maxFace),
                                       buffer.baseAddress, buffer.count, &count, $0)
                }
            }
            if count <= capacity {
                // OpenCV applies minSize to its search windows; the boxes it reports average
                // neighbouring windows and can come out a little smaller. --min-face is a promise.
                return rects.prefix(count).map(FaceBox.init).filter {
                    min($0.width, $0.height) >= options.minFace
                        && (options.maxFace <= 0 || max($0.width, $0.height) <= options.maxFace)
                }
            }
            capacity = count
        }
    }
}
