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

    public init(minFace: Int = 20, thresholds: [Double] = [0.6, 0.7, 0.8], scaleFactor: Double = 0.709) {
        self.minFace = minFace
        self.thresholds = thresholds
        self.scaleFactor = scaleFactor
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
/// It follows the reference step by step (training/mtcnn-notes.md): RGB normalized
/// (v - 127.5) / 128, area-resized levels, TensorFlow's crop_and_resize, the reference's
/// (non-greedy) suppression and rounding; the tests compare its faces with the package's.
///
/// P-Net is planned once per pyramid level size (a video's levels never change): after the
/// first frame of a size, a search allocates only its candidate lists. Not thread-safe: one
/// detector per thread.
public final class MTCNNDetector {
    public let options: MTCNNOptions
    private let pnetPath: String
    private let rnet: InferenceSession
    private let onet: InferenceSession
    private var levels: [LevelKey: Level] = [:]
    private var picture: [Float] = []
    private var crops: [Float] = []
    private var outputs: [Float] = []
    /// Time per stage so far.
    public private(set) var timing = MTCNNTiming()

    private struct LevelKey: Hashable {
        let picture: ImageSize
        let level: ImageSize
    }

    /// Levels kept at most: a directory of pictures of many sizes must not grow the cache.
    private static let maxLevels = 64

    /// One pyramid level: its resize from the picture and P-Net planned for its size.
    private struct Level {
        let resize: AreaResize
        let session: InferenceSession
        var input: [Float]
        var output: [Float]
        let mapHeight: Int
        let mapWidth: Int
    }

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
        var clock = PlaybackClock.now()
        func lap() -> Double {
            let now = PlaybackClock.now()
            defer { clock = now }
            return now - clock
        }
        timing.searches += 1
        normalize(pixels, width: width, height: height, channels: channels)
        timing.pyramidSeconds += lap()
        var candidates = try proposals(width: width, height: height)
        timing.pnetSeconds += lap()
        guard !candidates.isEmpty else { return [] }
        candidates = refine(candidates, width: width, height: height)
        timing.rnetSeconds += lap()
        guard !candidates.isEmpty else { return [] }
        let found = output(candidates, width: width, height: height)
        timing.onetSeconds += lap()
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
        let start = PlaybackClock.now()
        defer {
            timing.follows += 1
            timing.followSeconds += PlaybackClock.now() - start
        }
        normalize(pixels, width: width, height: height, channels: channels)
        let windows = known.map { box -> MTCNNBox in
            let dx = Double(box.width) * margin, dy = Double(box.height) * margin
            return MTCNNBox(x1: Double(box.x) - dx, y1: Double(box.y) - dy, x2: Double(box.x + box.width) + dx,
                            y2: Double(box.y + box.height) + dy, score: 1).squared
        }
        return output(windows, width: width, height: height).map { face(from: $0, width: width, height: height) }
    }

    /// RGB floats as the reference makes them: TensorFlow's float decode times 255, then
    /// (x - 127.5) / 128. Grey is replicated to three channels.
    private func normalize(_ pixels: UnsafeBufferPointer<UInt8>, width: Int, height: Int, channels: Int) {
        let count = width * height * 3
        if picture.count != count { picture = [Float](repeating: 0, count: count) }
        let unit = Float(1.0 / 255.0)
        picture.withUnsafeMutableBufferPointer { out in
            for i in 0..<(width * height) {
                let p = i * channels
                let (r, g, b) = channels >= 3 ? (pixels[p + 2], pixels[p + 1], pixels[p]) : (pixels[p], pixels[p], pixels[p])
                out[i * 3] = (Float(r) * unit * 255 - 127.5) / 128
                out[i * 3 + 1] = (Float(g) * unit * 255 - 127.5) / 128
                out[i * 3 + 2] = (Float(b) * unit * 255 - 127.5) / 128
            }
        }
    }

    /// The pyramid's scales. The reference counts its levels from the picture's smaller side;
    /// for another smallest face the count is that of a picture scaled by 20 / minFace, so the
    /// smallest level stays at about 12-17 pixels either way.
    func scales(width: Int, height: Int) -> [Double] {
        let first = 12 / Double(options.minFace)
        let side = Double(min(width, height)) * first / 0.6
        let count = Int((-(log(side / 12) / log(options.scaleFactor) + 1)).rounded(.toNearestOrEven))
        return (0..<max(count, 0)).map { first * pow(options.scaleFactor, Double($0)) }.filter {
            Int(Double(height) * $0) >= 12 && Int(Double(width) * $0) >= 12
        }
    }

    private func level(for key: LevelKey) throws -> Level {
        if let level = levels[key] { return level }
        if levels.count >= Self.maxLevels { levels.removeAll() }
        let size = key.level, height = key.picture.height, width = key.picture.width
        let model = try KerasModel.load(path: pnetPath, inputSize: size)
        let shape = model.outputShape
        let level = Level(resize: AreaResize(inputHeight: height, inputWidth: width, outputHeight: size.height, outputWidth: size.width),
                          session: model.makeSession(maxBatch: 1),
                          input: [Float](repeating: 0, count: size.height * size.width * 3),
                          output: [Float](repeating: 0, count: model.outputCount),
                          mapHeight: shape[0], mapWidth: shape[1])
        levels[key] = level
        return level
    }

    /// P-Net over the pyramid: per level, cells above the threshold become boxes (regressed
    /// before suppression, as the reference does), suppressed at 0.5; then all levels together
    /// at 0.7, and squared.
    private func proposals(width: Int, height: Int) throws -> [MTCNNBox] {
        var all: [MTCNNBox] = []
        let threshold = options.thresholds[0]
        for scale in scales(width: width, height: height) {
            let key = LevelKey(picture: ImageSize(height: height, width: width),
                               level: ImageSize(height: Int(Double(height) * scale), width: Int(Double(width) * scale)))
            var level = try level(for: key)
            let resizeStart = PlaybackClock.now()
            picture.withUnsafeBufferPointer { source in
                level.input.withUnsafeMutableBufferPointer { level.resize.apply(source.baseAddress!, into: $0.baseAddress!) }
            }
            // Counted apart from P-Net (`detect` counts the whole stage, this is taken back out).
            let resized = PlaybackClock.now() - resizeStart
            timing.pyramidSeconds += resized
            timing.pnetSeconds -= resized
            level.input.withUnsafeBufferPointer { input in
                level.output.withUnsafeMutableBufferPointer { level.session.run(input, batch: 1, into: $0) }
            }
            var boxes: [MTCNNBox] = []
            level.output.withUnsafeBufferPointer { out in
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
            levels[key] = level
            all += MTCNNBoxes.suppress(MTCNNBoxes.sorted(boxes), threshold: 0.5, mode: .union)
        }
        return MTCNNBoxes.suppress(MTCNNBoxes.sorted(all), threshold: 0.7, mode: .union).map(\.squared)
    }

    /// Runs `session` on `size` x `size` crops of `boxes`; the output rows, `stride` floats each.
    private func run(_ session: InferenceSession, on boxes: [MTCNNBox], size: Int, width: Int, height: Int) {
        let sample = size * size * 3, stride = session.model.outputCount
        if crops.count < boxes.count * sample { crops = [Float](repeating: 0, count: boxes.count * sample) }
        if outputs.count < boxes.count * stride { outputs = [Float](repeating: 0, count: boxes.count * stride) }
        picture.withUnsafeBufferPointer { source in
            crops.withUnsafeMutableBufferPointer { crops in
                for (index, box) in boxes.enumerated() {
                    cropAndResize(source.baseAddress!, height: height, width: width, box: box, size: size,
                                  into: crops.baseAddress! + index * sample)
                }
            }
        }
        crops.withUnsafeBufferPointer { input in
            outputs.withUnsafeMutableBufferPointer { out in
                session.run(UnsafeBufferPointer(rebasing: input[0..<(boxes.count * sample)]), batch: boxes.count, into: out.baseAddress!)
            }
        }
    }

    /// R-Net: rescored and regressed, above its threshold, suppressed at 0.7 and squared.
    private func refine(_ boxes: [MTCNNBox], width: Int, height: Int) -> [MTCNNBox] {
        run(rnet, on: boxes, size: 24, width: width, height: height)
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
    private func output(_ boxes: [MTCNNBox], width: Int, height: Int) -> [MTCNNBox] {
        run(onet, on: boxes, size: 48, width: width, height: height)
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
    private func face(from box: MTCNNBox, width: Int, height: Int) -> MTCNNFace {
        let x1 = min(max(box.x1, 0), Double(width - 1)), x2 = min(max(box.x2, 0), Double(width - 1))
        let y1 = min(max(box.y1, 0), Double(height - 1)), y2 = min(max(box.y2, 0), Double(height - 1))
        let r = { (v: Double) in Int(v.rounded(.toNearestOrEven)) }
        return MTCNNFace(box: FaceBox(x: r(x1), y: r(y1), width: r(x2 - x1), height: r(y2 - y1)),
                         confidence: box.score,
                         landmarks: (0..<5).map { FacePoint(x: box.landmarks[$0], y: box.landmarks[$0 + 5]) })
    }
}
