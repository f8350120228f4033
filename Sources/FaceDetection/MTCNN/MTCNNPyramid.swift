import KerasEngine

/// P-Net planned for one picture size: each pyramid level's resize, and the sessions that run
/// the level in strips of rows, all on one arena shared with the detector's other pyramids.
///
/// Why strips: a level's activations grow with its area (P-Net's buffers for the 512x288 level
/// of an 854x480 frame are 11.7 MB, all ten levels' 28 MB). P-Net is fully convolutional and
/// output row i reads input rows 2i ..< 2i + 12 only, so a level run as strips of
/// `stripRows` output rows, whose inputs overlap by 10 rows, gives the same map with buffers the
/// size of one strip. 40 rows a strip keep the largest plan at 3.6 MB; the overlap adds about
/// 12% to P-Net's work on the levels taller than a strip and nothing on the others.
struct MTCNNPyramid {
    /// One session over input rows from `2 * firstRow`, writing the map from row `firstRow`.
    struct Strip {
        let session: InferenceSession
        let firstRow: Int
    }

    struct Level {
        let scale: Double
        let resize: AreaResize
        let width: Int
        let height: Int
        let mapHeight: Int
        let mapWidth: Int
        let strips: [Strip]
    }

    let levels: [Level]

    /// Floats of the largest level's input and of its map (6 per cell).
    var inputFloats: Int { levels.map { $0.width * $0.height * 3 }.max() ?? 0 }
    var mapFloats: Int { levels.map { $0.mapWidth * $0.mapHeight * 6 }.max() ?? 0 }

    /// Plans P-Net (`pnet`, a file already checked to be one) over `scales` of a `width` x
    /// `height` picture. `arena(floats)` gives the arena for plans needing `floats` floats.
    init(pnet: String, width: Int, height: Int, scales: [Double], stripRows: Int,
         arena: (Int) -> SessionArena) throws {
        var planned: [(scale: Double, width: Int, height: Int, map: [Int], strips: [(model: KerasModel, firstRow: Int)])] = []
        for scale in scales {
            let levelWidth = Int(Double(width) * scale), levelHeight = Int(Double(height) * scale)
            let (map, strips) = try Self.strips(pnet: pnet, width: levelWidth, height: levelHeight, rows: stripRows)
            planned.append((scale, levelWidth, levelHeight, map, strips))
        }
        let floats = planned.flatMap { $0.strips.map { $0.model.arenaFloats(maxBatch: 1) } }.max() ?? 1
        let shared = arena(floats)
        levels = planned.map { level in
            Level(scale: level.scale,
                  resize: AreaResize(inputHeight: height, inputWidth: width, outputHeight: level.height, outputWidth: level.width),
                  width: level.width, height: level.height, mapHeight: level.map[0], mapWidth: level.map[1],
                  strips: level.strips.map { Strip(session: $0.model.makeSession(maxBatch: 1, arena: shared), firstRow: $0.firstRow) })
        }
    }

    /// The level's map size and its strips: whole when it is at most half as tall again as a
    /// strip, or when a strip's geometry is not P-Net's (then the network is not the one
    /// the footprint above was worked out for).
    private static func strips(pnet: String, width: Int, height: Int,
                               rows: Int) throws -> (map: [Int], strips: [(model: KerasModel, firstRow: Int)]) {
        let whole = try KerasModel.load(path: pnet, inputSize: ImageSize(height: height, width: width))
        let map = Array(whole.outputShape.prefix(2))
        let mapHeight = map[0]
        guard rows > 0, mapHeight > rows + rows / 2 else { return (map, [(whole, 0)]) }
        let strip = try KerasModel.load(path: pnet, inputSize: ImageSize(height: 2 * rows + 10, width: width))
        // Full strips, then the rest (1 ... rows rows) as its own plan down to the bottom edge,
        // so that the bottom is padded as in the whole level.
        let full = (mapHeight - 1) / rows
        let tail = try KerasModel.load(path: pnet, inputSize: ImageSize(height: height - 2 * full * rows, width: width))
        guard Array(strip.outputShape.prefix(2)) == [rows, map[1]],
              Array(tail.outputShape.prefix(2)) == [mapHeight - full * rows, map[1]] else { return (map, [(whole, 0)]) }
        return (map, (0..<full).map { (strip, $0 * rows) } + [(tail, full * rows)])
    }

    /// Runs every strip of `level` on its resized `input`, filling `map`.
    static func run(_ level: Level, input: UnsafePointer<Float>, map: UnsafeMutablePointer<Float>) {
        let inputRow = level.width * 3, mapRow = level.mapWidth * 6
        for strip in level.strips {
            let start = 2 * strip.firstRow
            let count = (strip.session.model.inputShape.first ?? 0) * inputRow
            precondition(start * inputRow + count <= level.height * inputRow, "a strip reads past its level")
            strip.session.run(UnsafeBufferPointer(start: input + start * inputRow, count: count), batch: 1,
                              into: map + strip.firstRow * mapRow)
        }
    }
}
