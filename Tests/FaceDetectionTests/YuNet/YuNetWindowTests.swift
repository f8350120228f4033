@testable import FaceDetection
import XCTest

/// Following's windows on synthetic frames: where a window lies, what it reads, and how its
/// faces map back to the frame. Exact where the arithmetic is exact; 1e-4 (float sums) else.
final class YuNetWindowTests: XCTestCase {
    private func face(x: Double, y: Double, width: Double, height: Double) -> YuNetFace {
        YuNetFace(x: x, y: y, width: width, height: height, score: 0.9,
                  landmarks: (0..<5).map { FacePoint(x: x + Double($0), y: y + Double($0)) })
    }

    /// Bytes of a `width` x `height` BGR frame: channel c of pixel (x, y) is `value(x, y, c)`.
    private func frame(width: Int, height: Int, _ value: (Int, Int, Int) -> UInt8) -> [UInt8] {
        var bytes: [UInt8] = []
        for y in 0..<height { for x in 0..<width { for c in 0..<3 { bytes.append(value(x, y, c)) } } }
        return bytes
    }

    private func fill(_ window: YuNetWindow, _ bytes: [UInt8], width: Int, height: Int, channels: Int = 3,
                      rowStride: Int? = nil) -> [Float] {
        var input = [Float](repeating: -1, count: window.side * window.side * 3)
        bytes.withUnsafeBufferPointer { pixels in
            input.withUnsafeMutableBufferPointer {
                window.fill($0.baseAddress!, from: pixels.baseAddress!, width: width, height: height, channels: channels,
                            rowStride: rowStride ?? width * channels)
            }
        }
        return input
    }

    private func window(_ face: YuNetFace, scale: Double = 1, width: Int = 640, height: Int = 480) -> YuNetWindow {
        YuNetWindow(around: face, context: 2, scale: scale, minSide: 64, maxSide: 128, frameWidth: width, frameHeight: height)
    }

    /// Twice the face's larger side at the whole search's scale, rounded up to a multiple of 32
    /// (64 to 128), on the face's centre.
    func testTheWindowShowsTheFaceAtTheWholeSearchsScale() {
        // A 40 x 50 face in a frame searched at its own size: 100 pixels, a 128-pixel window.
        let face = face(x: 300, y: 200, width: 40, height: 50)
        XCTAssertEqual(window(face), YuNetWindow(x: 256, y: 161, span: 128, side: 128))
        // Searched shrunk 1.5 times: 67 network pixels, a 96-pixel window of 144 frame pixels.
        XCTAssertEqual(window(face, scale: 1.5), YuNetWindow(x: 248, y: 153, span: 144, side: 96))
        XCTAssertEqual(window(face, scale: 1.5).scale, 1.5)
        // A face too large for the largest window is shrunk further; a tiny one gets the smallest.
        let large = window(self.face(x: 100, y: 100, width: 300, height: 300))
        XCTAssertEqual(large.side, 128)
        XCTAssertEqual(large.span, 600)
        let tiny = window(self.face(x: 100, y: 100, width: 10, height: 10))
        XCTAssertEqual(tiny, YuNetWindow(x: 73, y: 73, span: 64, side: 64))
    }

    func testTheWindowIsMovedInsideTheFrame() {
        XCTAssertEqual(window(face(x: -5, y: 2, width: 40, height: 50)), YuNetWindow(x: 0, y: 0, span: 128, side: 128))
        XCTAssertEqual(window(face(x: 620, y: 450, width: 40, height: 50)), YuNetWindow(x: 512, y: 352, span: 128, side: 128))
        // Larger than an 80 x 60 frame: on the face's centre, past the frame's edges.
        XCTAssertEqual(window(face(x: 10, y: 10, width: 40, height: 50), width: 80, height: 60),
                       YuNetWindow(x: -34, y: -29, span: 128, side: 128))
    }

    /// At one frame pixel per network pixel on whole coordinates, the window is the frame's
    /// bytes as floats; grey frames fill all three channels; a padded row stride is honoured.
    func testAtScaleOneTheWindowIsTheFramesPixels() {
        let (width, height) = (80, 70)
        let bytes = frame(width: width, height: height) { x, y, c in UInt8((x * 3 + y * 5 + c * 70) % 256) }
        let window = YuNetWindow(x: 7, y: 3, span: 64, side: 64)
        let input = fill(window, bytes, width: width, height: height)
        for i in 0..<64 {
            for j in 0..<64 {
                for c in 0..<3 {
                    XCTAssertEqual(input[(i * 64 + j) * 3 + c], Float(bytes[((i + 3) * width + j + 7) * 3 + c]), "(\(i), \(j), \(c))")
                }
            }
        }
        let grey = (0..<(width * height)).map { UInt8($0 % 251) }
        let greyInput = fill(window, grey, width: width, height: height, channels: 1)
        XCTAssertEqual(greyInput[0], Float(grey[3 * width + 7]))
        XCTAssertEqual(greyInput[1], greyInput[0])
        XCTAssertEqual(greyInput[2], greyInput[0])
        // The same frame with 16 bytes of padding after each row.
        var padded: [UInt8] = []
        for y in 0..<height { padded += bytes[(y * width * 3)..<((y + 1) * width * 3)] + [UInt8](repeating: 255, count: 16) }
        XCTAssertEqual(fill(window, padded, width: width, height: height, rowStride: width * 3 + 16), input)
    }

    /// Shrunk by 2 or more, each network pixel is the mean of the frame pixels over it: a
    /// checkerboard of 0 and 200 becomes a flat 100; past the frame's edges the window reads zeros.
    func testShrinkingAveragesAndOutsideTheFrameIsZero() {
        let (width, height) = (256, 256)
        let checker = frame(width: width, height: height) { x, y, _ in (x + y) % 2 == 0 ? 0 : 200 }
        let shrunk = fill(YuNetWindow(x: 0, y: 0, span: 256, side: 64), checker, width: width, height: height)
        XCTAssertEqual(shrunk.min()!, 100, accuracy: 1e-4)
        XCTAssertEqual(shrunk.max()!, 100, accuracy: 1e-4)
        let flat = [UInt8](repeating: 90, count: width * height * 3)
        // The left half of the window lies left of the frame.
        let outside = fill(YuNetWindow(x: -128, y: 0, span: 256, side: 64), flat, width: width, height: height)
        for j in 0..<64 {
            XCTAssertEqual(outside[(10 * 64 + j) * 3], j < 32 ? 0 : 90, accuracy: 1e-4, "column \(j)")
        }
        // Enlarged, the frame's edge pixel is repeated up to the frame's edge, zeros beyond it.
        let enlarged = fill(YuNetWindow(x: 240, y: 0, span: 32, side: 64), flat, width: width, height: height)
        for j in 0..<64 {
            XCTAssertEqual(enlarged[(10 * 64 + j) * 3], j < 32 ? 90 : 0, accuracy: 1e-4, "column \(j)")
        }
    }

    /// A face found in the window comes back in frame pixels: scaled by the window's frame
    /// pixels per network pixel, then moved by its corner.
    func testFacesMapBackToTheFrame() {
        let window = YuNetWindow(x: 100, y: 50, span: 128, side: 64)
        let found = YuNetFace(x: 16, y: 8, width: 32, height: 40, score: 0.8,
                              landmarks: [FacePoint(x: 20, y: 20), FacePoint(x: 40, y: 20), FacePoint(x: 30, y: 30),
                                          FacePoint(x: 22, y: 40), FacePoint(x: 38, y: 40)])
        let mapped = window.toFrame(found)
        XCTAssertEqual(mapped, YuNetFace(x: 132, y: 66, width: 64, height: 80, score: 0.8,
                                         landmarks: [FacePoint(x: 140, y: 90), FacePoint(x: 180, y: 90), FacePoint(x: 160, y: 110),
                                                     FacePoint(x: 144, y: 130), FacePoint(x: 176, y: 130)]))
    }
}
