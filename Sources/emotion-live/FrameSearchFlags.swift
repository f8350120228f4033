import ArgumentParser
import EmotionPipeline

/// How a sequence of frames is searched for faces: whole every few frames, around the faces
/// already found in between. Shared by `run` and `bench --video`; `serve` has none, since its
/// pictures are stills, each searched whole.
struct FrameSearchFlags: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Search the whole frame every n frames and only around the faces already found in between (1: full-frame Haar on every frame, exactly).",
        valueName: "n"))
    var detectEvery: Int = DetectorOptions.defaultDetectEvery

    @Option(name: .long, help: ArgumentHelp(
        "Shrink the frame by this factor for the whole-frame search (faster, misses small faces).", valueName: "factor"))
    var detectScale: Double = 1

    func validate() throws {
        guard (1...1000).contains(detectEvery) else { throw ValidationError("--detect-every must be between 1 and 1000") }
        guard detectScale >= 1, detectScale <= 8 else { throw ValidationError("--detect-scale must be in [1, 8]") }
    }
}
