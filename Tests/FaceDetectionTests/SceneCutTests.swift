@testable import FaceDetection
import XCTest

/// Cuts told from motion on synthetic frames: thumbnails, thresholds, first frame, size change.
final class SceneCutTests: XCTestCase {
    /// A textured BGR frame: a gradient with a pattern, shifted right by `shift` pixels and
    /// brightened by `offset`; `other` draws another scene (the gradient the other way).
    private func frame(width: Int = 160, height: Int = 90, shift: Int = 0, offset: Int = 0, other: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                let u = x - shift
                let base = other ? 230 - (u + y) : 20 + u + ((u / 8 + y / 8) % 2) * 30
                for c in 0..<3 {
                    bytes.append(UInt8(clamping: base + offset + c * 5))
                }
            }
        }
        return bytes
    }

    private func isCut(_ cut: inout SceneCut, _ bytes: [UInt8], width: Int = 160, height: Int = 90, channels: Int = 3) -> Bool {
        bytes.withUnsafeBufferPointer { cut.isCut(pixels: $0, width: width, height: height, channels: channels) }
    }

    func testThumbnailIsTheMeanOfEachCell() {
        let flat = [UInt8](repeating: 77, count: 64 * 32 * 3)
        let cells = flat.withUnsafeBufferPointer { SceneCut.thumbnail(pixels: $0, width: 64, height: 32, channels: 3) }
        XCTAssertEqual(cells.count, SceneCut.cells * SceneCut.cells)
        XCTAssertTrue(cells.allSatisfy { $0 == 77 }, "\(cells)")
        // Left half 0, right half 200 (grey): the left cells 0, the right ones 200, exactly.
        let halves = (0..<(64 * 32)).map { UInt8($0 % 64 < 32 ? 0 : 200) }
        let split = halves.withUnsafeBufferPointer { SceneCut.thumbnail(pixels: $0, width: 64, height: 32, channels: 1) }
        for row in 0..<SceneCut.cells {
            for column in 0..<SceneCut.cells {
                XCTAssertEqual(split[row * SceneCut.cells + column], column < SceneCut.cells / 2 ? 0 : 200, "cell \(row), \(column)")
            }
        }
        XCTAssertTrue([UInt8](repeating: 0, count: 8 * 8).withUnsafeBufferPointer {
            SceneCut.thumbnail(pixels: $0, width: 8, height: 8, channels: 1)
        }.isEmpty, "a picture smaller than the grid has no thumbnail")
    }

    func testMotionAndLightAreNotCutsAnotherSceneIs() {
        var cut = SceneCut()
        XCTAssertFalse(isCut(&cut, frame()), "the first frame")
        XCTAssertFalse(isCut(&cut, frame()), "the same frame")
        XCTAssertFalse(isCut(&cut, frame(shift: 4)), "a pan of 4 px")
        XCTAssertFalse(isCut(&cut, frame(shift: 4, offset: 12)), "brighter by 12")
        XCTAssertTrue(isCut(&cut, frame(other: true)), "another scene")
        XCTAssertFalse(isCut(&cut, frame(other: true)), "the new scene goes on")
        XCTAssertTrue(isCut(&cut, frame()), "and back")
    }

    func testASizeChangeOrResetStartsAfresh() {
        var cut = SceneCut()
        _ = isCut(&cut, frame())
        XCTAssertFalse(isCut(&cut, frame(width: 120, height: 90, other: true), width: 120), "another size: nothing to compare")
        XCTAssertTrue(isCut(&cut, frame(width: 120, height: 90), width: 120))
        cut.reset()
        XCTAssertFalse(isCut(&cut, frame(other: true)), "after a reset, the first frame again")
        var strict = SceneCut(threshold: 1)
        _ = isCut(&strict, frame())
        XCTAssertTrue(isCut(&strict, frame(offset: 12)), "the threshold is the caller's")
    }
}
