@testable import EmotionPipeline
import XCTest

/// Very large frames: what is refused, and how much is decoded ahead of the pipeline.
final class FrameSizeLimitTests: XCTestCase {
    private func info(_ width: Int, _ height: Int) -> SourceInfo {
        SourceInfo(kind: .video, name: "clip.mp4", width: width, height: height, fps: 30, frameCount: nil)
    }

    func testUpTo8192x8192PixelsIsAcceptedBeyondIsRefusedNamingTheFileAndTheLimit() throws {
        XCTAssertNoThrow(try FrameSizeLimit.check(info(7680, 4320)), "8K UHD")
        XCTAssertNoThrow(try FrameSizeLimit.check(info(8192, 8192)))
        XCTAssertThrowsError(try FrameSizeLimit.check(info(12000, 8000))) { error in
            XCTAssertEqual(String(describing: error),
                           "clip.mp4: frames of 12000x8000 are larger than the limit of 67 megapixels (8192x8192)")
        }
    }

    /// Read-ahead is bounded by bytes: three frames up to 4K, one at 8K.
    func testReadAheadIsBoundedByBytes() {
        XCTAssertEqual(VideoFileSource.readAheadFrames(width: 640, height: 360, readAhead: 3), 3)
        XCTAssertEqual(VideoFileSource.readAheadFrames(width: 3840, height: 2160, readAhead: 3), 3)
        XCTAssertEqual(VideoFileSource.readAheadFrames(width: 7680, height: 4320, readAhead: 3), 1)
        XCTAssertEqual(VideoFileSource.readAheadFrames(width: 8192, height: 8192, readAhead: 3), 1, "never less than one")
    }
}
