import FoundationEssentials
import OpenCVShim

/// Finds faces with an OpenCV Haar cascade (`detectMultiScale`) on a grey frame.
public final class HaarDetector {
    private let cascade: OpaquePointer
    public let cascadePath: String
    public var options: DetectorOptions
    /// Capacity of the result array; a frame with more faces grows it and detects again.
    private var capacity = 64

    /// Loads `cascadePath`, or the default frontal-face cascade when nil.
    public init(cascadePath: String? = nil, options: DetectorOptions = DetectorOptions()) throws {
        guard let path = cascadePath ?? CascadeLocator.locate() else {
            throw DetectorError.cascadeNotFound(searched: CascadeLocator.searchDirectories)
        }
        var out: OpaquePointer?
        do {
            try shimCall { cvs_cascade_load(path, &out, $0) }
        } catch let error as OpenCVError {
            let reason = error.kind == .notFound ? "no such file" : "not a Haar cascade file"
            throw DetectorError.cascadeUnreadable(path: path, reason: reason)
        }
        cascade = out!
        self.cascadePath = path
        self.options = options
    }

    deinit { cvs_cascade_destroy(cascade) }

    /// Faces in `grey` (a BGR image is converted first), none smaller than `minFace` or larger
    /// than `maxFace`: full-frame Haar. Boxes come top to bottom, then left to right: OpenCV
    /// gives them in the order its threads happened to finish, which made face ids (given in
    /// detection order) differ from one run of a clip to the next.
    ///
    /// The boxes are those of `detectMultiScale(in:)`, found with less memory: a large picture
    /// is searched in bands of pyramid levels (see the shim's `cvs_cascade_detect_in`), which
    /// took a 12-megapixel photo from 435 to 253 MB at the peak, a 1080p clip in exact mode from
    /// 146 to 111 MB.
    public func detect(in grey: Image) throws -> [FaceBox] {
        try detect(in: grey, region: nil, shrink: 1)
    }

    /// Full-frame Haar as OpenCV's `detectMultiScale` gives it in one call, in the same order as
    /// `detect(in:)`: the reference the exact mode and the banded searches are checked against,
    /// and the baseline `bench --video` measures the pipeline against.
    public func detectMultiScale(in grey: Image) throws -> [FaceBox] {
        try search(options) { rects, _, count, error in
            cvs_cascade_detect(cascade, grey.handle, options.scaleFactor, Int32(options.minNeighbors),
                               Int32(options.minFace), Int32(options.minFace), Int32(options.maxFace),
                               Int32(options.maxFace), rects.baseAddress, rects.count, &count, error)
        }.map(\.box)
    }

    /// Faces inside `region` (nil: the whole image), searched on a copy shrunk by `shrink` (>= 1)
    /// when it is more than 1; boxes are in `grey`'s coordinates either way. With no region and
    /// no shrinking this is exactly `detect(in:)`.
    ///
    /// `scaleFactor`, `minNeighbors`, `minFace` and `maxFace` override the detector's options for
    /// this search (the search around a known face looks more finely, for faces of about its size).
    public func detect(in grey: Image, region: FaceBox?, shrink: Double, scaleFactor: Double? = nil,
                       minNeighbors: Int? = nil, minFace: Int? = nil, maxFace: Int? = nil) throws -> [FaceBox] {
        try detectCounting(in: grey, region: region, shrink: shrink, scaleFactor: scaleFactor,
                           minNeighbors: minNeighbors, minFace: minFace, maxFace: maxFace).map(\.box)
    }

    /// The same, with each box's number of raw detections (its neighbours plus one): a box with
    /// more than N of them is one that `minNeighbors` N keeps.
    public func detectCounting(in grey: Image, region: FaceBox?, shrink: Double, scaleFactor: Double? = nil,
                               minNeighbors: Int? = nil, minFace: Int? = nil,
                               maxFace: Int? = nil) throws -> [(box: FaceBox, neighbors: Int)] {
        var options = self.options
        if let scaleFactor { options.scaleFactor = scaleFactor }
        if let minNeighbors { options.minNeighbors = minNeighbors }
        if let minFace { options.minFace = minFace }
        if let maxFace { options.maxFace = maxFace }
        return try search(options) { rects, counts, count, error in
            cvs_cascade_detect_in(cascade, grey.handle, region?.cRect ?? cvs_rect(), max(1, shrink),
                                  options.scaleFactor, Int32(options.minNeighbors),
                                  Int32(options.minFace), Int32(options.minFace),
                                  Int32(options.maxFace), Int32(options.maxFace),
                                  rects.baseAddress, counts.baseAddress, rects.count, &count, error)
        }
    }

    /// Runs a shim search with room for `capacity` boxes (growing it and searching again when a
    /// picture holds more), then keeps the boxes within the size limits, in reading order.
    private func search(
        _ options: DetectorOptions,
        _ call: (UnsafeMutableBufferPointer<cvs_rect>, UnsafeMutableBufferPointer<Int32>, inout Int,
                 UnsafeMutablePointer<cvs_error>) -> cvs_status
    ) throws -> [(box: FaceBox, neighbors: Int)] {
        while true {
            var rects = [cvs_rect](repeating: cvs_rect(), count: capacity)
            var neighbors = [Int32](repeating: 0, count: capacity)
            var count = 0
            try rects.withUnsafeMutableBufferPointer { buffer in
                try neighbors.withUnsafeMutableBufferPointer { counts in
                    try shimCall { call(buffer, counts, &count, $0) }
                }
            }
            if count <= capacity {
                // OpenCV applies minSize to its search windows; the boxes it reports average
                // neighbouring windows and can come out a little smaller. --min-face is a promise.
                return zip(rects.prefix(count).map(FaceBox.init), neighbors.prefix(count).map(Int.init))
                    .map { (box: $0, neighbors: $1) }
                    .filter {
                        min($0.box.width, $0.box.height) >= options.minFace
                            && (options.maxFace <= 0 || max($0.box.width, $0.box.height) <= options.maxFace)
                    }
                    .sorted { ($0.box.y, $0.box.x, $0.box.width, $0.box.height) < ($1.box.y, $1.box.x, $1.box.width, $1.box.height) }
            }
            capacity = count
        }
    }
}
