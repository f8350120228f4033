@testable import EmotionPipeline
import Foundation
import XCTest

/// What is not a readable file gets its own words when opened as a source, through the same
/// `openSource` the run uses: a device, a FIFO (without waiting for a writer), a directory where
/// an image was expected, an empty file; a missing path is still "no such file".
final class SourceFileTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("source-file-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The error `openSource` throws for `path`, waited for at most 10 s on another thread; a
    /// source still opening then (a FIFO waiting for a writer) fails the test and is released
    /// by opening the FIFO's other end.
    private func openingError(_ path: String, file: StaticString = #filePath, line: UInt = #line) -> PipelineError? {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var thrown: Error?
        DispatchQueue.global().async {
            do { _ = try openSource(SourceSpec(parsing: path)).close() } catch { thrown = error }
            done.signal()
        }
        guard done.wait(timeout: .now() + 10) == .success else {
            XCTFail("opening \(path) did not return within 10 s", file: file, line: line)
            let writer = open(path, O_WRONLY | O_NONBLOCK)
            if writer >= 0 { close(writer) }
            done.wait()
            return nil
        }
        return thrown as? PipelineError
    }

    func testDevicesAreNotRegularFilesNotMissingOnes() {
        XCTAssertEqual(openingError("/dev/null"), .sourceUnreadable(path: "/dev/null", reason: "not a regular file (a character device)"))
        XCTAssertEqual(openingError("/dev/zero"), .sourceUnreadable(path: "/dev/zero", reason: "not a regular file (a character device)"))
        XCTAssertThrowsError(try SourceFile.check("/dev/null"))
        XCTAssertThrowsError(try SourceFile.contents("/dev/null"))
    }

    func testAFIFOIsRefusedWithoutWaitingForAWriter() throws {
        for name in ["pipe", "pipe.png", "pipe.jpg"] {
            XCTAssertEqual(mkfifo(path(name), 0o600), 0, name)
            XCTAssertEqual(openingError(path(name)), .sourceUnreadable(path: path(name), reason: "not a regular file (a FIFO)"))
            XCTAssertThrowsError(try SourceFile.contents(path(name)), name) { error in
                XCTAssertEqual(error as? PipelineError, .sourceUnreadable(path: path(name), reason: "not a regular file (a FIFO)"))
            }
        }
    }

    func testEmptyFilesSayEmpty() throws {
        for name in ["empty.mp4", "empty.png", "empty.jpg", "empty"] {
            XCTAssertTrue(FileManager.default.createFile(atPath: path(name), contents: Data()))
            XCTAssertEqual(openingError(path(name)), .sourceUnreadable(path: path(name), reason: "empty file"))
            XCTAssertEqual("\(try XCTUnwrap(openingError(path(name))))", "\(path(name)): cannot read source: empty file")
        }
    }

    func testMissingPathsAndDirectories() throws {
        XCTAssertEqual(openingError(path("absent.png")), .sourceNotFound(path: path("absent.png")))
        XCTAssertEqual(openingError(path("absent/below.mp4")), .sourceNotFound(path: path("absent/below.mp4")))
        let folder = path("folder.png")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        XCTAssertThrowsError(try ImageFile.read(path: folder)) { error in
            XCTAssertEqual(error as? PipelineError, .sourceUnreadable(path: folder, reason: "not a regular file (a directory)"))
        }
    }

    func testContentsAreTheFilesBytes() throws {
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        XCTAssertTrue(FileManager.default.createFile(atPath: path("data.bin"), contents: Data(bytes)))
        XCTAssertEqual(try SourceFile.contents(path("data.bin")), bytes)
    }
}
