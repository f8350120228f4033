import Glibc
import KerasEngine

/// MTCNN's settings (Zhang et al. 2016, as PyPI `mtcnn` 1.0.0 sets them by default).
public struct MTCNNOptions: Sendable, Equatable {
    /// Smallest face searched for, in pixels: the pyramid's first level is 12 / minFace.
    public var minFace: Int = 20
    /// Face-probability thresholds of P-Net, R-Net and O-Net.
    public var thresholds: [Double] = [0.6, 0.7, 0.8]
    /// Ratio between pyramid levels.
    public var scaleFactor: Double = 0.709
    /// How far past the picture's edges large faces are looked for, as a fraction of its shorter
    /// side (`MTCNNBorder.swift`); 0 searches the picture alone, as the reference does.
    public var border: Double = 0.2

    public init(minFace: Int = 20, thresholds: [Double] = [0.6, 0.7, 0.8], scaleFactor: Double = 0.709, border: Double = 0.2) {
        self.minFace = minFace
        self.thresholds = thresholds
        self.scaleFactor = scaleFactor
        self.border = border
    }
}

/// Where a detector's time went, summed over its searches (for `bench --video`): a few clock
/// reads per search, nothing per pixel.
public struct MTCNNTiming: Equatable, Sendable {
    /// Whole searches, and the time of their stages: normalizing the picture and resizing the
    /// pyramid, P-Net with its suppression, R-Net (crops included), O-Net.
    public var searches = 0
    public var pyramidSeconds = 0.0
    public var pnetSeconds = 0.0
    public var rnetSeconds = 0.0
    public var onetSeconds = 0.0
    /// Searches around known faces (O-Net alone) and their time.
    public var follows = 0
    public var followSeconds = 0.0
    /// Faces lost by following and searched for again in a window (`refind`), and their time.
    public var refinds = 0
    public var refindSeconds = 0.0

    public init() {}
}

/// A face MTCNN found: its box in picture pixels (the reference's rounding), O-Net's face
/// probability, and five landmarks (left eye, right eye, nose, left and right mouth corner).
public struct MTCNNFace: Equatable, Sendable {
    public var box: FaceBox
    public var confidence: Double
    public var landmarks: [FacePoint]
}

/// The three-stage cascade: P-Net over an image pyramid, R-Net on 24x24 crops of its
/// candidates, O-Net on 48x48 crops of R-Net's, with box regression and non-maximum suppression
/// between stages, run by the engine on the three converted networks in `models/` (one output
/// each: the package's outputs concatenated, see models/README.md).
///
/// It follows the reference step by step (training/detectors/mtcnn-notes.md): RGB normalized
/// (v - 127.5) / 128, area-resized levels, TensorFlow's crop_and_resize, the reference's
/// (non-greedy) suppression and rounding; the tests compare its faces with the package's.
///
/// P-Net is planned once per picture size (a video's pyramid never changes), in strips on one
/// shared arena (`MTCNNPyramid`): after the first frame of a size, a search allocates only its
/// candidate lists. Not thread-safe: one detector per thread.
public final class MTCNNDetector {
    public let options: MTCNNOptions
    private let pnetPath: String
    private let rnet: InferenceSession
    private let onet: InferenceSession
    /// P-Net's plans per picture size, all on one arena (P-Net runs one strip at a time).
    private var pyramids: [PyramidKey: MTCNNPyramid] = [:]
    private var arena: SessionArena?
    /// A level's input and map, the largest level's size: levels run one after the other.
    private var levelInput: [Float] = []
    private var levelMap: [Float] = []
    /// The 256 floats a frame's byte becomes (`NormalizedFrame`).
    private let byteValues: UnsafeMutablePointer<Float> = {
        let table = NormalizedFrame.table()
        let values = UnsafeMutablePointer<Float>.allocate(capacity: table.count)
        values.initialize(from: table, count: table.count)
        return values
    }()
    private var crops: [Float] = []
    private var outputs: [Float] = []
    /// The window a lost face is searched for in (`refind`).
    var window: [Float] = []
    /// Time per stage so far.
    public internal(set) var timing = MTCNNTiming()

    /// Picture sizes planned at most: a directory of pictures of many sizes must not grow the
    /// cache.
    private static let maxPyramids = 8
    /// P-Net's output rows per strip (`MTCNNPyramid`).
    static let stripRows = 40

    /// Loads R-Net and O-Net, and checks that P-Net loads (it is planned per size later).
    /// Errors name the file (`KerasModelError`).
    public init(pnet: String, rnet: String, onet: String, options: MTCNNOptions = MTCNNOptions()) throws {
        self.options = options
        pnetPath = pnet
        let probe = try KerasModel.load(path: pnet, inputSize: ImageSize(height: 12, width: 12))
        try Self.check(probe, path: pnet, input: [12, 12, 3], output: [1, 1, 6])
        let r = try KerasModel.load(path: rnet)
        try Self.check(r, path: rnet, input: [24, 24, 3], output: [6])
        let o = try KerasModel.load(path: onet)
        try Self.check(o, path: onet, input: [48, 48, 3], output: [16])
        self.rnet = r.makeSession(maxBatch: 32)
        self.onet = o.makeSession(maxBatch: 16)
    }

    deinit { byteValues.deallocate() }

    private static func check(_ model: KerasModel, path: String, input: [Int], output: [Int]) throws {
        guard model.inputShape == input, model.outputShape == output else {
            throw DetectorError.notAnMTCNNStage(path: path, input: model.inputShape, output: model.outputShape,
                                               expected: "input \(input), output \(output)")
        }
    }

    /// The faces in a BGR or grey picture of `width` x `height` (row-major, `channels` bytes per
    /// pixel), highest confidence first.
    public func detect(pixels: UnsafeBufferPointer<UInt8>, width: Int, height: Int, channels: Int) throws -> [MTCNNFace] {
        guard width >= 12, height >= 12 else { return [] }
        var clock = MonotonicClock.now()
        func lap() -> Double {
            let now = MonotonicClock.now()
            defer { clock = now }
            return now - clock
        }
        timing.searches += 1
        let picture = frame(pixels, width: width, height: height, channels: channels)
        timing.pyramidSeconds += lap()
        var candidates = try proposals(picture)
        let border = borderPixels(width: width, height: height)
        let outside = try edgeProposals(picture, border: border)
        timing.pnetSeconds += lap()
        var found: [MTCNNBox] = []
        if !candidates.isEmpty {
            candidates = refine(candidates, picture)
            timing.rnetSeconds += lap()
            if !candidates.isEmpty { found = output(candidates, picture) }
            timing.onetSeconds += lap()
        }
        if !outside.isEmpty {
            found = MTCNNBoxes.suppress(MTCNNBoxes.sorted(found + edgeFaces(outside, picture, border: border)),
                                        threshold: 0.7, mode: .minimum)
            timing.onetSeconds += lap()
        }
        return found.map { face(from: $0, width: width, height: height) }
    }

    /// O-Net alone on a window around each of `known` (faces of the previous frame): the cheap
    /// search between whole-frame ones. Each box is widened by `margin` of its size on every
    /// side and squared; O-Net's regression then places the face in it, as it does after R-Net.
    /// No widening works best: O-Net scores a face framed as R-Net frames it (a 20% margin lost
    /// the face on most frames of a clip), and faces move little in a frame.
    public func follow(_ known: [FaceBox], margin: Double = 0, pixels: UnsafeBufferPointer<UInt8>,
                       width: Int, height: Int, channels: Int) -> [MTCNNFace] {
        guard !known.isEmpty, width >= 12, height >= 12 else { return [] }
        let start = MonotonicClock.now()
        defer {
            timing.follows += 1
            timing.followSeconds += MonotonicClock.now() - start
        }
        let picture = frame(pixels, width: width, height: height, channels: channels)
        let windows = known.map { box -> MTCNNBox in
            let dx = Double(box.width) * margin, dy = Double(box.height) * margin
            return MTCNNBox(x1: Double(box.x) - dx, y1: Double(box.y) - dy, x2: Double(box.x + box.width) + dx,
                            y2: Double(box.y + box.height) + dy, score: 1).squared
        }
        return output(windows, picture).map { face(from: $0, width: width, height: height) }
    }

    /// The frame's bytes as the networks' input (`NormalizedFrame`).
    func frame(_ pixels: UnsafeBufferPointer<UInt8>, width: Int, height: Int, channels: Int) -> NormalizedFrame {
        precondition((channels == 1 || channels >= 3) && pixels.count >= width * height * channels,
                     "\(pixels.count) bytes are not a \(width)x\(height) picture of \(channels) channels")
        return NormalizedFrame(bytes: pixels.baseAddress!, width: width, height: height, channels: channels, table: byteValues)
    }

    /// The pyramid's scales. The reference counts its levels from the picture's smaller side;
    /// for another smallest face the count is that of a picture scaled by 20 / minFace, so the
    /// smallest level stays at about 12-17 pixels either way.
    func scales(width: Int, height: Int, minFace: Int? = nil) -> [Double] {
        let first = 12 / Double(minFace ?? options.minFace)
        let side = Double(min(width, height)) * first / 0.6
        let count = Int((-(log(side / 12) / log(options.scaleFactor) + 1)).rounded(.toNearestOrEven))
        return (0..<max(count, 0)).map { first * pow(options.scaleFactor, Double($0)) }.filter {
            Int(Double(height) * $0) >= 12 && Int(Double(width) * $0) >= 12
        }
    }

    /// P-Net planned for a `width` x `height` picture. The arena grows to the largest plan a
    /// detector has needed; plans on a smaller one are dropped when it does.
    private struct PyramidKey: Hashable {
        let size: ImageSize
        let scales: [Double]
    }

    private func pyramid(width: Int, height: Int, scales: [Double]) throws -> MTCNNPyramid {
        let key = PyramidKey(size: ImageSize(height: height, width: width), scales: scales)
        if let pyramid = pyramids[key] { return pyramid }
        if pyramids.count >= Self.maxPyramids { pyramids.removeAll() }
        let pyramid = try MTCNNPyramid(pnet: pnetPath, width: width, height: height, scales: scales,
                                       stripRows: Self.stripRows) { floats in
            if let arena, arena.floats >= floats { return arena }
            pyramids.removeAll()
            let grown = SessionArena(floats: floats)
            arena = grown
            return grown
        }
        pyramids[key] = pyramid
        if levelInput.count < pyramid.inputFloats { levelInput = [Float](repeating: 0, count: pyramid.inputFloats) }
        if levelMap.count < pyramid.mapFloats { levelMap = [Float](repeating: 0, count: pyramid.mapFloats) }
        return pyramid
    }

    /// P-Net over the pyramid: per level, cells above the threshold become boxes (regressed
    /// before suppression, as the reference does), suppressed at 0.5; then all levels together
    /// at 0.7, and squared.
    /// `scales`: the pyramid's, when not the picture's own (`scales(width:height:minFace:)`).
    func proposals<Picture: MTCNNPixels>(_ picture: Picture, minFace: Int? = nil, scales given: [Double]? = nil) throws -> [MTCNNBox] {
        var all: [MTCNNBox] = []
        let threshold = options.thresholds[0]
        let levels = given ?? scales(width: picture.width, height: picture.height, minFace: minFace ?? options.minFace)
        for level in try pyramid(width: picture.width, height: picture.height, scales: levels).levels {
            let scale = level.scale
            let resizeStart = MonotonicClock.now()
            levelInput.withUnsafeMutableBufferPointer { level.resize.apply(picture, into: $0.baseAddress!) }
            // Counted apart from P-Net (`detect` counts the whole stage, this is taken back out).
            let resized = MonotonicClock.now() - resizeStart
            timing.pyramidSeconds += resized
            timing.pnetSeconds -= resized
            levelInput.withUnsafeBufferPointer { input in
                levelMap.withUnsafeMutableBufferPointer { MTCNNPyramid.run(level, input: input.baseAddress!, map: $0.baseAddress!) }
            }
            var boxes: [MTCNNBox] = []
            levelMap.withUnsafeBufferPointer { out in
                for i in 0..<level.mapHeight {
                    for j in 0..<level.mapWidth {
                        let cell = out.baseAddress! + (i * level.mapWidth + j) * 6
                        let score = Double(cell[5])
                        guard score > threshold else { continue }
                        let x = Double(2 * j), y = Double(2 * i)
                        boxes.append(MTCNNBox(x1: (x + 1 + Double(cell[0]) * 11) / scale, y1: (y + 1 + Double(cell[1]) * 11) / scale,
                                              x2: (x + 12 + Double(cell[2]) * 11) / scale, y2: (y + 12 + Double(cell[3]) * 11) / scale,
                                              score: score))
                    }
                }
            }
            all += MTCNNBoxes.suppress(MTCNNBoxes.sorted(boxes), threshold: 0.5, mode: .union)
        }
        return MTCNNBoxes.suppress(MTCNNBoxes.sorted(all), threshold: 0.7, mode: .union).map(\.squared)
    }

    /// Runs `session` on `size` x `size` crops of `boxes`; the output rows, `stride` floats each.
    private func run<Picture: MTCNNPixels>(_ session: InferenceSession, on boxes: [MTCNNBox], size: Int, picture: Picture) {
        let sample = size * size * 3, stride = session.model.outputCount
        if crops.count < boxes.count * sample { crops = [Float](repeating: 0, count: boxes.count * sample) }
        if outputs.count < boxes.count * stride { outputs = [Float](repeating: 0, count: boxes.count * stride) }
        crops.withUnsafeMutableBufferPointer { crops in
            for (index, box) in boxes.enumerated() {
                cropAndResize(picture, box: box, size: size, into: crops.baseAddress! + index * sample)
            }
        }
        crops.withUnsafeBufferPointer { input in
            outputs.withUnsafeMutableBufferPointer { out in
                session.run(UnsafeBufferPointer(rebasing: input[0..<(boxes.count * sample)]), batch: boxes.count, into: out.baseAddress!)
            }
        }
    }

    /// R-Net: rescored and regressed, above its threshold, suppressed at 0.7 and squared.
    func refine<Picture: MTCNNPixels>(_ boxes: [MTCNNBox], _ picture: Picture) -> [MTCNNBox] {
        run(rnet, on: boxes, size: 24, picture: picture)
        var kept: [MTCNNBox] = []
        for (index, box) in boxes.enumerated() {
            let row = index * 6
            var refined = box.refined(dx1: outputs[row], dy1: outputs[row + 1], dx2: outputs[row + 2], dy2: outputs[row + 3])
            refined.score = Double(outputs[row + 5])
            if refined.score > options.thresholds[1] { kept.append(refined) }
        }
        return MTCNNBoxes.suppress(MTCNNBoxes.sorted(kept), threshold: 0.7, mode: .union).map(\.squared)
    }

    /// O-Net: landmarks from the box it was given, then rescored and regressed, above its
    /// threshold, and suppressed at 0.7 of the smaller box.
    func output<Picture: MTCNNPixels>(_ boxes: [MTCNNBox], _ picture: Picture) -> [MTCNNBox] {
        run(onet, on: boxes, size: 48, picture: picture)
        var kept: [MTCNNBox] = []
        for (index, box) in boxes.enumerated() {
            let row = index * 16
            let w = box.x2 - box.x1 + 1, h = box.y2 - box.y1 + 1
            var refined = box.refined(dx1: outputs[row], dy1: outputs[row + 1], dx2: outputs[row + 2], dy2: outputs[row + 3])
            refined.landmarks = (0..<5).map { w * Double(outputs[row + 4 + $0]) + box.x1 - 1 }
                + (0..<5).map { h * Double(outputs[row + 9 + $0]) + box.y1 - 1 }
            refined.score = Double(outputs[row + 15])
            if refined.score > options.thresholds[2] { kept.append(refined) }
        }
        return MTCNNBoxes.suppress(MTCNNBoxes.sorted(kept), threshold: 0.7, mode: .minimum)
    }

    /// The reference's output: the box clamped to the picture, then x, y, w, h each rounded
    /// half to even; landmarks rounded likewise but not clamped (here kept in floats).
    func face(from box: MTCNNBox, width: Int, height: Int) -> MTCNNFace {
        let x1 = min(max(box.x1, 0), Double(width - 1)), x2 = min(max(box.x2, 0), Double(width - 1))
        let y1 = min(max(box.y1, 0), Double(height - 1)), y2 = min(max(box.y2, 0), Double(height - 1))
        let r = { (v: Double) in Int(v.rounded(.toNearestOrEven)) }
        return MTCNNFace(box: FaceBox(x: r(x1), y: r(y1), width: r(x2 - x1), height: r(y2 - y1)),
                         confidence: box.score,
                         landmarks: (0..<5).map { FacePoint(x: box.landmarks[$0], y: box.landmarks[$0 + 5]) })
    }
}
