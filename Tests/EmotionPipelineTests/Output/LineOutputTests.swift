@testable import EmotionPipeline
import Glibc
import XCTest

final class LineOutputTests: XCTestCase {
    func testABlockOfTextIsWrittenLineByLine() throws {
        let output = LineCollector()
        try output.writeLines("one\n\nthree\n")
        try output.writeLines("four")
        XCTAssertEqual(output.lines, ["one", "", "three", "four"])
    }

    /// A reader that has gone is `outputClosed`, with SIGPIPE at its default action (death): the
    /// library guards its own writes, whatever the process does with the signal. If it did not,
    /// this test would kill the test process.
    func testAClosedPipeIsOutputClosedWithoutASignal() throws {
        var ends: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&ends), 0)
        close(ends[0])
        let stream = try XCTUnwrap(fdopen(ends[1], "w"))
        defer { fclose(stream) }
        let previous = signal(SIGPIPE, SIG_DFL)
        defer { signal(SIGPIPE, previous) }
        let output = StandardOutput(stream: stream)
        for _ in 0..<2 {
            XCTAssertThrowsError(try output.writeLine("{\"frame\": 0}")) { XCTAssertEqual($0 as? PipelineError, .outputClosed) }
        }
        var pending = sigset_t()
        sigpending(&pending)
        XCTAssertEqual(sigismember(&pending, SIGPIPE), 0, "no SIGPIPE left waiting")
        var mask = sigset_t()
        pthread_sigmask(SIG_BLOCK, nil, &mask)
        XCTAssertEqual(sigismember(&mask, SIGPIPE), 0, "the thread's signal mask is restored")
    }
}
