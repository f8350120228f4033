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
}
