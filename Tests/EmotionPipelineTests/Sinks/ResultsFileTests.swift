import EmotionPipeline
import Foundation
import XCTest

/// `ResultsFile`: lines appear under the asked name only after `commit()`; anything else
/// leaves the directory as it was.
final class ResultsFileTests: XCTestCase {
    private func names(in directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    private func file(_ name: String, in directory: URL) -> String { directory.appendingPathComponent(name).path }

    func testCommitRenamesTheLinesIntoPlace() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = file("run.jsonl", in: directory)
        let results = try ResultsFile(path: path)
        try results.writeLine("{\"frame\": 0}")
        try results.writeLine("{\"frame\": 1}")
        XCTAssertFalse(ResultsFile.isFinished(path), "nothing under the name before the end")
        XCTAssertEqual(try names(in: directory).count, 1, "only the hidden temporary")
        try results.commit()
        XCTAssertTrue(ResultsFile.isFinished(path))
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "{\"frame\": 0}\n{\"frame\": 1}\n")
        XCTAssertEqual(try names(in: directory), ["run.jsonl"])
    }

    func testDiscardAndAbandonLeaveNothing() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let discarded = try ResultsFile(path: file("a.jsonl", in: directory))
        try discarded.writeLine("x")
        discarded.discard()
        XCTAssertThrowsError(try discarded.writeLine("y"), "a discarded file takes no more lines")
        do {
            let abandoned = try ResultsFile(path: file("b.jsonl", in: directory))
            try abandoned.writeLine("x")
        }
        XCTAssertEqual(try names(in: directory), [])
    }

    func testADirectoryIsNotAFinishedFile() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        XCTAssertFalse(ResultsFile.isFinished(directory.path))
        XCTAssertFalse(ResultsFile.isFinished(file("absent.jsonl", in: directory)))
        XCTAssertThrowsError(try ResultsFile(path: directory.path)) { error in
            XCTAssertTrue("\(error)".contains("is a directory"), "\(error)")
        }
    }
}
