import ArgumentParser
import EmotionPipeline

extension DetectorKind: ExpressibleByArgument {}

/// Every face detector's flags, one group shared by `run`, `bench` and `serve` with one help
/// text and one set of limits each: which detector, Haar's cascade and tuning, the smallest
/// face, YuNet's and MTCNN's settings. `options(search:)` is the one place they become the
/// library's `DetectorOptions`. How often a sequence is searched whole is `FrameSearchFlags`,
/// apart, because `serve`'s pictures are stills, each searched whole.
struct DetectorFlags: ParsableArguments {
    /// The largest `--min-face`: a face cannot be larger than the shorter side of a frame the
    /// pipeline accepts, and `FrameSizeLimit` (8192 x 8192 pixels' worth) keeps that side at
    /// most 8192. (run allowed up to 100000, serve 4096, which refused faces an 8K frame holds.)
    static let largestMinFace = 8192

    @Option(name: .long, help: ArgumentHelp(
        "Face detector: haar (OpenCV's frontal cascade), yunet (one small CNN on the engine, every frame searched whole: finds turned and small faces, gives five landmarks per face, in jsonl as \"landmarks\"; the fastest detector on groups and HD video) or mtcnn (three small CNNs on the engine: turned faces, landmarks). Default: \(DetectorOptions.defaultKind.rawValue); --cascade implies haar. --min-face applies to all three (MTCNN: at least 12, default 20); --scale-factor and --min-neighbors to Haar only.",
        valueName: "haar|yunet|mtcnn"))
    var detector: DetectorKind?

    @Option(name: .long, help: ArgumentHelp(
        "Haar cascade XML (default: haarcascade_frontalface_default.xml from opencv-data).", valueName: "path"))
    var cascade: String?

    @Option(name: .long, help: "Haar detectMultiScale scale factor (> 1; smaller finds more faces, slower).")
    var scaleFactor: Double = DetectorOptions().scaleFactor

    @Option(name: .long, help: "Haar detectMultiScale minimum neighbours.")
    var minNeighbors: Int = DetectorOptions().minNeighbors

    @Option(name: .long, help: ArgumentHelp(
        "Ignore faces smaller than this many pixels (0: the detector's own smallest).", valueName: "px"))
    var minFace: Int = 0

    @Option(name: .long, help: ArgumentHelp(
        "YuNet: score threshold of a face (between 0 and 1, exclusive; higher finds fewer faces; default \(YuNetOptions.defaultScoreThreshold)).",
        valueName: "score"))
    var yunetThreshold: Double = YuNetOptions.defaultScoreThreshold

    @Option(name: .long, help: ArgumentHelp(
        "YuNet: frames whose longer side is larger are shrunk to this many pixels before the search (0: every frame at its own size; larger finds smaller faces, slower; default \(YuNetOptions.defaultMaxSide)).",
        valueName: "pixels"))
    var yunetMaxSide: Int = YuNetOptions.defaultMaxSide

    @Option(name: .long, help: ArgumentHelp(
        "MTCNN: face-probability thresholds of its three stages (each in (0, 1)).", valueName: "p,r,o"))
    var mtcnnThresholds: String = "0.6,0.7,0.8"

    @Option(name: .long, help: ArgumentHelp(
        "MTCNN: the folder with mtcnn-pnet.h5, mtcnn-rnet.h5 and mtcnn-onet.h5 (default: those shipped with the model).",
        valueName: "dir"))
    var mtcnnModels: String?

    @Option(name: .long, help: ArgumentHelp(
        "MTCNN: how far past the picture's edges large faces it cuts are looked for, as a fraction of its shorter side (0 to 0.5; 0: the picture alone; default: 0.2 on photos and the server's pictures, 0 on video, cameras and streams).",
        valueName: "fraction"))
    var mtcnnBorder: Double?

    func validate() throws {
        guard scaleFactor > 1, scaleFactor <= 4 else { throw ValidationError("--scale-factor must be in (1, 4]") }
        guard (0...100).contains(minNeighbors) else { throw ValidationError("--min-neighbors must be between 0 and 100") }
        guard (0...Self.largestMinFace).contains(minFace) else {
            throw ValidationError("--min-face must be between 0 and \(Self.largestMinFace)")
        }
        if detector == .mtcnn, minFace != 0, minFace < 12 {
            throw ValidationError("--min-face must be at least 12 with --detector mtcnn (its smallest window)")
        }
        _ = try thresholds()
        guard yunetThreshold > 0, yunetThreshold < 1 else { throw ValidationError("--yunet-threshold must be between 0 and 1 (exclusive)") }
        guard yunetMaxSide == 0 || (32...16384).contains(yunetMaxSide) else {
            throw ValidationError("--yunet-max-side must be 0 or between 32 and 16384")
        }
        if let mtcnnBorder, !(0...0.5).contains(mtcnnBorder) { throw ValidationError("--mtcnn-border must be between 0 and 0.5") }
    }

    /// `--mtcnn-thresholds`, parsed.
    func thresholds() throws -> [Double] {
        guard let values = numberList(mtcnnThresholds, count: 3, accepts: { $0 > 0 && $0 < 1 }) else {
            throw ValidationError("--mtcnn-thresholds takes three probabilities p,r,o, each between 0 and 1 (exclusive)")
        }
        return values
    }

    /// The detector asked for: `--detector`, else Haar when a cascade is given, else the default.
    var kind: DetectorKind { detector ?? (cascade != nil ? .haar : DetectorOptions.defaultKind) }

    /// The library's options for the detector asked for; `search` sets how a sequence of frames
    /// is searched (nil: the library's defaults, which still pictures do not use).
    func options(search: FrameSearchFlags? = nil) throws -> DetectorOptions {
        var options = DetectorOptions(scaleFactor: scaleFactor, minNeighbors: minNeighbors, minFace: minFace)
        if let search {
            options.detectEvery = search.detectEvery
            options.detectScale = search.detectScale
        }
        options.kind = kind
        options.yunet.scoreThreshold = yunetThreshold
        options.yunet.maxSide = yunetMaxSide
        options.mtcnn.thresholds = try thresholds()
        options.mtcnnBorder = mtcnnBorder
        options.mtcnnDirectory = mtcnnModels
        return options
    }
}
