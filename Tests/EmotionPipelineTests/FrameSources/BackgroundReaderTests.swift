@testable import EmotionPipeline
import Foundation
import TestSupport
import XCTest

/// The reader thread behind file and camera sources, fed by a synthetic producer.
final class BackgroundReaderTests: XCTestCase {
    /// A producer of `count` tiny frames, `interval` seconds apart, stamped 0, 1, 2... ms.
    private func producer(count: Int, interval: Double = 0) -> () throws -> DecodedFrame? {
        var next = 0
        return {
            guard next < count else { return nil }
            if interval > 0 { Thread.sleep(forTimeInterval: interval) }
            defer { next += 1 }
            return (try Fixtures.flatImage(width: 2, height: 2, level: 0), Double(next))
        }
    }

    func testQueueDeliversEveryFrameInOrder() throws {
        let reader = BackgroundReader(policy: .queue(capacity: 2), read: producer(count: 50))
        reader.start()
        var stamps: [Double] = []
        while let item = try reader.next() {
            stamps.append(item.milliseconds)
            if stamps.count % 10 == 0 { Thread.sleep(forTimeInterval: 0.01) }  // a slow consumer loses nothing
        }
        XCTAssertEqual(stamps, (0..<50).map(Double.init))
    }

    /// A slow consumer of a live source gets the newest frame, not a backlog.
    func testLatestOnlyDropsStaleFrames() throws {
        let reader = BackgroundReader(policy: .latestOnly, read: producer(count: 40, interval: 0.005))
        reader.start()
        var stamps: [Double] = []
        while let item = try reader.next() {
            stamps.append(item.milliseconds)
            Thread.sleep(forTimeInterval: 0.03)
        }
        XCTAssertLessThan(stamps.count, 20, "\(stamps)")
        XCTAssertEqual(stamps, stamps.sorted())
        XCTAssertEqual(stamps.last, 39)
        XCTAssertGreaterThan(reader.droppedCount, 0)
    }

    func testErrorsArriveAfterTheFramesBeforeThem() throws {
        struct Broken: Error {}
        var calls = 0
        let reader = BackgroundReader(policy: .queue(capacity: 4)) {
            calls += 1
            if calls > 3 { throw Broken() }
            return (try Fixtures.flatImage(width: 2, height: 2, level: 0), Double(calls))
        }
        reader.start()
        for _ in 0..<3 { XCTAssertNotNil(try reader.next()) }
        XCTAssertThrowsError(try reader.next()) { XCTAssertTrue($0 is Broken) }
    }

    func testTimeoutWhenNothingArrives() {
        let reader = BackgroundReader(policy: .latestOnly, read: producer(count: 1, interval: 2))
        reader.start()
        let start = Date()
        XCTAssertThrowsError(try reader.next(timeout: 0.2)) { XCTAssertTrue($0 is ReaderTimeout) }
        XCTAssertLessThan(Date().timeIntervalSince(start), 1.5)
        reader.stop()
    }
}
