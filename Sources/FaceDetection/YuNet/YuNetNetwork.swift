import KerasEngine

/// YuNet's network (`models/yunet-n.h5`) run by the engine on a picture's bytes.
///
/// The file's input is (None, None, 3): the engine plans a fixed size, so the network is planned
/// once per padded picture size, as MTCNN's P-Net is, and the plans are cached (a video's size
/// never changes; a folder of photos of many sizes keeps at most `maxPlans`). All plans share
/// one arena, grown to the largest plan needed (plans on a smaller one are dropped then); the
/// picture is written straight into the session's input buffer and the output read where the
/// pass leaves it, so after the first frame of a size a pass allocates nothing and no copy of
/// the input is kept beside the arena (2.9 MB at 640 x 384).
///
/// The input is BGR 0..255 as floats (no scaling), the picture at the top left and zeros to the
/// right and below it up to multiples of 32, as upstream pads it. Not thread-safe: one per thread.
final class YuNetNetwork {
    let path: String
    private var plans: [ImageSize: InferenceSession] = [:]
    private var arena: SessionArena?

    /// Picture sizes planned at most.
    static let maxPlans = 8

    /// Loads the file once at 32 x 32 to check it is YuNet as `--single-output` writes it.
    /// Errors name the file (`KerasModelError`, `DetectorError`).
    init(path: String) throws {
        self.path = path
        let probe = try KerasModel.load(path: path, inputSize: ImageSize(height: 32, width: 32))
        let rows = YuNetDecoder.rowCount(width: 32, height: 32)
        guard probe.inputShape == [32, 32, 3], probe.outputShape == [rows, YuNetDecoder.rowWidth] else {
            throw DetectorError.notAYuNet(path: path, input: probe.inputShape, output: probe.outputShape)
        }
    }

    /// The padded size for a `width` x `height` picture: each side rounded up to a multiple of 32.
    static func padded(width: Int, height: Int) -> ImageSize {
        let m = YuNetDecoder.multiple
        return ImageSize(height: (height + m - 1) / m * m, width: (width + m - 1) / m * m)
    }

    /// The session for a padded size, planned on first use.
    private func session(for size: ImageSize) throws -> InferenceSession {
        if let session = plans[size] { return session }
        if plans.count >= Self.maxPlans { plans.removeAll() }
        let model = try KerasModel.load(path: path, inputSize: size)
        let floats = model.arenaFloats(maxBatch: 1)
        if arena.map({ $0.floats < floats }) ?? true {
            plans.removeAll()
            arena = SessionArena(floats: floats)
        }
        let session = model.makeSession(maxBatch: 1, arena: arena!)
        plans[size] = session
        return session
    }

    /// Runs the network on a `width` x `height` picture (`channels` bytes per pixel: 1 grey,
    /// copied to all three inputs; 3 or more, the first three taken as BGR), rows `rowStride`
    /// bytes apart, and calls `body` with the output rows and the padded size they describe.
    func run<Result>(pixels: UnsafePointer<UInt8>, width: Int, height: Int, channels: Int, rowStride: Int,
                     _ body: (UnsafeBufferPointer<Float>, ImageSize) -> Result) throws -> Result {
        precondition(width > 0 && height > 0 && (channels == 1 || channels >= 3) && rowStride >= width * channels,
                     "not a \(width)x\(height) picture of \(channels) channels, rows \(rowStride) bytes apart")
        let size = Self.padded(width: width, height: height)
        let session = try session(for: size)
        return session.run(fillingInput: { input in
            precondition(input.count == size.height * size.width * 3, "the plan's input is not \(size.width)x\(size.height)x3")
            Self.fill(input.baseAddress!, padded: size, from: pixels, width: width, height: height,
                      channels: channels, rowStride: rowStride)
        }, { rows in body(rows, size) })
    }

    /// The picture's bytes as floats at the top left of a `padded` input, zeros around them
    /// (written each time: pictures of different sizes can share a padded size).
    private static func fill(_ input: UnsafeMutablePointer<Float>, padded: ImageSize, from pixels: UnsafePointer<UInt8>,
                             width: Int, height: Int, channels: Int, rowStride: Int) {
        let paddedWidth = padded.width
        for y in 0..<height {
            (input + y * paddedWidth * 3 + width * 3).update(repeating: 0, count: (paddedWidth - width) * 3)
        }
        (input + height * paddedWidth * 3).update(repeating: 0, count: (padded.height - height) * paddedWidth * 3)
        for y in 0..<height {
            let source = pixels + y * rowStride
            let target = input + y * paddedWidth * 3
            if channels == 3 {
                for i in 0..<(width * 3) { target[i] = Float(source[i]) }
            } else if channels == 1 {
                for x in 0..<width {
                    let value = Float(source[x])
                    target[3 * x] = value
                    target[3 * x + 1] = value
                    target[3 * x + 2] = value
                }
            } else {
                for x in 0..<width {
                    target[3 * x] = Float(source[channels * x])
                    target[3 * x + 1] = Float(source[channels * x + 1])
                    target[3 * x + 2] = Float(source[channels * x + 2])
                }
            }
        }
    }
}
