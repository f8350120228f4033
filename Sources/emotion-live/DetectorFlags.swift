import ArgumentParser
import EmotionPipeline

extension DetectorKind: ExpressibleByArgument {}

/// Which face detector, and MTCNN's settings (Haar's tuning flags are the commands' own).
struct DetectorFlags: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Face detector: haar (OpenCV's frontal cascade, the default) or mtcnn (three small CNNs on the engine: finds turned faces, gives five landmarks per face, in jsonl as \"landmarks\"). --min-face applies to both (MTCNN: at least 12, default 20); --scale-factor and --min-neighbors to Haar only.",
        valueName: "haar|mtcnn"))
    var detector: DetectorKind = .haar

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
        if let mtcnnBorder, !(0...0.5).contains(mtcnnBorder) { throw ValidationError("--mtcnn-border must be between 0 and 0.5") }
    }

    /// The command's --min-face against MTCNN's 12-pixel window (from the command's `validate`).
    func check(minFace: Int) throws {
        if detector == .mtcnn, minFace != 0, minFace < 12 {
            throw ValidationError("--min-face must be at least 12 with --detector mtcnn (its smallest window)")
        }
    }

    /// `options` with the detector chosen and MTCNN's settings.
    func apply(to options: DetectorOptions) throws -> DetectorOptions {
        var options = options
        options.kind = detector
        options.mtcnn.thresholds = try thresholds()
        options.mtcnnBorder = mtcnnBorder
        options.mtcnnDirectory = mtcnnModels
        return options
    }
}
