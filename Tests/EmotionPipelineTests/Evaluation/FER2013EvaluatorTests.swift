import EmotionPipeline
import Foundation
import XCTest

/// The evaluator's bookkeeping against FER-2013 labels and FER+ votes, on files written here, with
/// a stand-in classifier whose predictions are chosen per row.
final class FER2013EvaluatorTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// Rows whose first pixel is the row's number, so the stand-in classifier knows which it sees.
    private func data(codes: [Int], usage: String = "PublicTest") throws -> String {
        var csv = "emotion,pixels,Usage\n"
        for (k, code) in codes.enumerated() {
            csv += "\(code),\(([k] + Array(repeating: 0, count: 2303)).map(String.init).joined(separator: " ")),\(usage)\n"
        }
        return try write("data.csv", csv)
    }

    /// One-hot outputs: row k predicts `predictions[k]`.
    private func oneHot(_ predictions: [Int], classes: Int) -> ([FER2013Row]) -> [[Float]] {
        { rows in rows.map { row in (0..<classes).map { $0 == predictions[Int(row.pixels[0])] ? 1 : 0 } } }
    }

    private let votesHeader = "neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF\n"

    func testFERPlusMajorityFollowsTheProtocol() throws {
        let path = try write("votes.csv", votesHeader + """
        7,0,0,0,3,0,0,0,0,0
        0,0,0,0,0,0,0,6,2,2
        4,4,0,0,0,0,0,0,2,0
        2,0,0,0,0,0,0,0,6,2
        ,,,,,,,,,
        0,1,0,0,0,0,0,0,0,9
        """)
        let votes = try FERPlusVotes(path: path)
        XCTAssertEqual(votes.rowCount, 6)
        XCTAssertEqual(votes.majority(row: 0), .neutral)
        XCTAssertEqual(votes.majority(row: 1), .contempt)
        XCTAssertNil(votes.majority(row: 2), "a tie at the top is left out")
        XCTAssertNil(votes.majority(row: 3), "unknown on top is left out")
        XCTAssertNil(votes.majority(row: 4), "no votes")
        XCTAssertNil(votes.majority(row: 5), "not a face")
        XCTAssertEqual(votes.share(of: .angry, row: 0), 0.3, accuracy: 1e-12)
        XCTAssertEqual(votes.share(of: .contempt, row: 0), 0)
    }

    func testBadVotesFilesFailNamingTheFileAndLine() throws {
        let header = try write("h.csv", "a,b,c\n1,2,3\n")
        XCTAssertThrowsError(try FERPlusVotes(path: header)) { XCTAssertTrue("\($0)".hasPrefix("\(header):1: "), "\($0)") }
        let row = try write("r.csv", votesHeader + "1,2,3\n")
        XCTAssertThrowsError(try FERPlusVotes(path: row)) { XCTAssertTrue("\($0)".hasPrefix("\(row):2: "), "\($0)") }
        let text = try write("t.csv", votesHeader + "1,2,3,x,0,0,0,0,0,0\n")
        XCTAssertThrowsError(try FERPlusVotes(path: text)) { XCTAssertTrue("\($0)".contains("'x'"), "\($0)") }
    }

    func testScoresAgainstVotesWithContemptAndLeavesOutRowsWithoutAMajority() throws {
        // Truth: neutral, contempt, (tie: left out), angry.
        let votes = try FERPlusVotes(path: try write("votes.csv", votesHeader + """
        8,0,0,0,2,0,0,0,0,0
        0,0,0,0,2,0,0,8,0,0
        5,5,0,0,0,0,0,0,0,0
        0,0,0,0,10,0,0,0,0,0
        """))
        let seven = EmotionLabel.canonicalOrder.map(\.rawValue)
        let evaluator = try FER2013Evaluator(labels: seven, model: "m.h5")
        // Predictions: neutral (right), angry (contempt: no such output, wrong), -, sad (wrong).
        let result = try evaluator.evaluate(try FER2013Reader(path: try data(codes: [6, 6, 6, 0]), usage: .test),
                                            votes: votes, classify: oneHot([4, 0, 0, 5], classes: 7))
        XCTAssertEqual(result.report.n, 3)
        XCTAssertEqual(result.leftOut, 1)
        XCTAssertEqual(result.report.correct, 1)
        XCTAssertEqual(result.report.labels, seven + ["contempt"], "a truth the model lacks gets its own row")
        XCTAssertEqual(result.truthWithoutOutput, ["contempt": 1])
        XCTAssertEqual(result.voteShare ?? -1, (0.8 + 0.2 + 0) / 3, accuracy: 1e-12)
        let json = result.jsonObject()
        XCTAssertEqual(json["left_out"] as? Int, 1)
        XCTAssertNotNil(json["no_counterpart"])
        XCTAssertTrue(result.text(title: "t").contains("1 rows are truly contempt"), result.text(title: "t"))
    }

    func testAnEightClassModelOnFER2013LabelsCountsContemptAsWrong() throws {
        let eight = EmotionLabel.ferPlusOrder.map(\.rawValue)
        let evaluator = try FER2013Evaluator(labels: eight, model: "m.h5")
        // Truth (FER codes): angry, happy. Predictions: contempt, happy.
        let result = try evaluator.evaluate(try FER2013Reader(path: try data(codes: [0, 3]), usage: .test),
                                            classify: oneHot([1, 4], classes: 8))
        XCTAssertEqual(result.report.n, 2)
        XCTAssertEqual(result.report.correct, 1)
        XCTAssertEqual(result.report.labels, eight)
        XCTAssertEqual(result.predictionWithoutTruth, ["contempt": 1])
        XCTAssertNil(result.voteShare)
    }

    func testVotesMustBeRowAlignedWithTheData() throws {
        let votes = try FERPlusVotes(path: try write("votes.csv", votesHeader + "10,0,0,0,0,0,0,0,0,0\n"))
        let evaluator = try FER2013Evaluator(labels: EmotionLabel.ferPlusOrder.map(\.rawValue), model: "m.h5")
        XCTAssertThrowsError(try evaluator.evaluate(try FER2013Reader(path: try data(codes: [6, 6]), usage: .test),
                                                    votes: votes, classify: oneHot([5, 5], classes: 8))) { error in
            XCTAssertTrue("\(error)".contains("row-aligned"), "\(error)")
        }
    }
}
