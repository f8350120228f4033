import ArgumentParser
import EmotionPipeline

extension DetectorKind: ExpressibleByArgument {}

/// Which face detector, and MTCNN's and YuNet's settings (Haar's tuning flags and cascade are
/// the commands' own).
struct DetectorFlags: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Face detector: haar (OpenCV's frontal cascade), yunet (one small CNN on the engine, every frame searched whole: finds turned and small faces, gives five landmarks per face, in jsonl as \"landmarks\"; the fastest detector on groups and HD video) or mtcnn (three small CNNs on the engine: turned faces, landmarks). Default: \(DetectorOptions.defaultKind.rawValue); --cascade implies haar. --min-face applies to all three (MTCNN: at least 12, default 20); --scale-factor and --min-neighbors to Haar only.",
        valueName: "haar|yunet|mtcnn"))
    var detector: DetectorKind?

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

    func thresholds() throws -> [Double] {
        let parts = mtcnnThresholds.split(separator: ",").map { Double($0.trimmingWhitespace()) }
        guard parts.count == 3, parts.allSatisfy({ $0.map { $0 > 0 && $0 < 1 } ?? false }) else {
            throw ValidationError("--mtcnn-thresholds takes three probabilities p,r,o, each between 0 and 1 (exclusive)")
        }
        return parts.map { $0! }
    }

    func validate() throws {
        _ = try thresholds()
        guard yunetThreshold > 0, yunetThreshold < 1 else { throw ValidationError("--yunet-threshold must be between 0 and 1 (exclusive)") }
        guard yunetMaxSide == 0 || (32...16384).contains(yunetMaxSide) else {
            throw ValidationError("--yunet-max-side must be 0 or between 32 and 16384")
        }
        if let mtcnnBorder, !(0...0.5).contains(mtcnnBorder) { throw ValidationError("--mtcnn-border must be between 0 and 0.5") }
    }

    /// The command's --min-face against MTCNN's 12-pixel window (from the command's `validate`).
    func check(minFace: Int) throws {
        if detector == .mtcnn, minFace != 0, minFace < 12 {
            throw ValidationError("--min-face must be at least 12 with --detector mtcnn (its smallest window)")
        }
    }

    /// The detector asked for: `--detector`, else Haar when a cascade is given, else the default.
    func kind(cascade: String?) -> DetectorKind {
        detector ?? (cascade != nil ? .haar : DetectorOptions.defaultKind)
    }

    /// `options` with the detector chosen and MTCNN's and YuNet's settings.
    func apply(to options: DetectorOptions, cascade: String?) throws -> DetectorOptions {
        var options = options
        options.kind = kind(cascade: cascade)
        options.yunet.scoreThreshold = yunetThreshold
        options.yunet.maxSide = yunetMaxSide
        options.mtcnn.thresholds = try thresholds()
        options.mtcnnBorder = mtcnnBorder
        options.mtcnnDirectory = mtcnnModels
        return options
    }
}
