@testable import EmotionServer
import XCTest

/// The turns kept for refused requests, on explicit times.
final class RetryBookTests: XCTestCase {
    /// Turns are taken earliest first, only once their time has come; those still to come are
    /// counted as room to keep.
    func testTurnsAreTakenInTimeOrder() {
        var book = RetryBook()
        book.keep(at: 12)
        book.keep(at: 11)
        book.keep(at: 12)
        XCTAssertEqual(book.times, [11, 12, 12])
        XCTAssertEqual(book.ahead(at: 10), 3)
        XCTAssertFalse(book.claim(at: 10.9), "no turn has come")
        XCTAssertTrue(book.claim(at: 11))
        XCTAssertEqual(book.ahead(at: 11), 2)
        XCTAssertEqual(book.ahead(at: 12), 0, "a turn whose time has come is no longer kept from others")
        XCTAssertEqual(book.count, 2)
        XCTAssertTrue(book.claim(at: 13))
        XCTAssertTrue(book.claim(at: 13))
        XCTAssertFalse(book.claim(at: 13))
    }

    /// A turn nobody takes within `grace` seconds of its time is dropped.
    func testUntakenTurnsExpire() {
        var book = RetryBook()
        book.keep(at: 1)
        book.keep(at: 2)
        book.keep(at: 5)
        book.expire(at: 1 + RetryBook.grace)
        XCTAssertEqual(book.times, [2, 5], "a turn exactly `grace` late is dropped")
        book.expire(at: 100)
        XCTAssertEqual(book.count, 0)
    }

    /// A full book keeps no more turns.
    func testTheBookIsBounded() {
        var book = RetryBook(limit: 2)
        XCTAssertTrue(book.keep(at: 1))
        XCTAssertTrue(book.keep(at: 1))
        XCTAssertFalse(book.keep(at: 1))
        XCTAssertEqual(book.count, 2)
    }
}
