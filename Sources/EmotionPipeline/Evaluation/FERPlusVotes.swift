import FoundationEssentials
import Glibc

/// FER+'s relabelling of FER-2013 (Barsoum et al. 2016): ten annotators' votes per image, in a
/// CSV row-aligned with a FER-2013 CSV (line i + 1 holds the votes of data row i). Header
/// `neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF`; a row of empty
/// fields is an image with no votes.
///
/// The truth of a row follows FER+'s protocol: the top vote, unless it is unknown or not-a-face
/// (NF), tied, or there are no votes: such rows are left out of the score.
public struct FERPlusVotes: Sendable {
    public static let columns = ["neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear",
                                 "contempt", "unknown", "nf"]
    /// The emotion of each of the first eight columns.
    static let columnEmotions: [EmotionLabel] = [.neutral, .happy, .surprised, .sad, .angry, .disgusted, .fearful, .contempt]

    public let path: String
    /// Ten counts a row, flattened; a row without votes is all zero.
    private let counts: [UInt16]

    public var rowCount: Int { counts.count / Self.columns.count }

    /// The emotions FER+ can give as truth.
    public static var emotions: [EmotionLabel] { EmotionLabel.ferPlusOrder }

    public init(path: String) throws {
        self.path = path
        let lines = try LineReader.opening(path) { FERPlusVotesError.cannotOpen(file: path, reason: $0) }
        guard let header = lines.next() else { throw FERPlusVotesError.badHeader(file: path, found: "an empty file") }
        let names = String(decoding: header, as: UTF8.self).split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingWhitespace().lowercased() }
        guard names == Self.columns else {
            throw FERPlusVotesError.badHeader(file: path, found: String(decoding: header.prefix(80), as: UTF8.self))
        }
        var counts: [UInt16] = []
        while let line = lines.next() {
            let fields = line.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
            guard fields.count == Self.columns.count else {
                throw FERPlusVotesError.badRow(file: path, line: lines.lineNumber,
                                               reason: "expected \(Self.columns.count) fields, found \(fields.count)")
            }
            let texts = fields.map { String(decoding: $0, as: UTF8.self).trimmingWhitespace() }
            if texts.allSatisfy(\.isEmpty) {
                counts.append(contentsOf: repeatElement(0, count: texts.count))
                continue
            }
            for text in texts {
                guard let value = UInt16(text), value <= 1000 else {
                    throw FERPlusVotesError.badRow(file: path, line: lines.lineNumber,
                                                   reason: "'\(text.prefix(20))' is not a vote count")
                }
                counts.append(value)
            }
        }
        if lines.failed { throw FERPlusVotesError.cannotOpen(file: path, reason: "read error") }
        self.counts = counts
    }

    /// The majority emotion of data row `row` under FER+'s protocol, or nil when the row is left
    /// out (no votes, a tie at the top, or unknown / not-a-face on top).
    public func majority(row: Int) -> EmotionLabel? {
        let votes = self.votes(row: row)
        guard let top = votes.max(), top > 0 else { return nil }
        let leaders = votes.indices.filter { votes[$0] == top }
        guard leaders.count == 1, leaders[0] < Self.columnEmotions.count else { return nil }
        return Self.columnEmotions[leaders[0]]
    }

    /// The share of row `row`'s annotators who chose `emotion` (0 for an emotion FER+ lacks).
    public func share(of emotion: EmotionLabel?, row: Int) -> Double {
        let votes = self.votes(row: row)
        let total = votes.reduce(0) { $0 + Int($1) }
        guard total > 0, let emotion, let column = Self.columnEmotions.firstIndex(of: emotion) else { return 0 }
        return Double(votes[column]) / Double(total)
    }

    private func votes(row: Int) -> [UInt16] {
        let width = Self.columns.count
        guard row >= 0, row < rowCount else { return [] }
        return Array(counts[(row * width)..<((row + 1) * width)])
    }
}

public enum FERPlusVotesError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(file: String, reason: String)
    case badHeader(file: String, found: String)
    case badRow(file: String, line: Int, reason: String)
    case rowCountMismatch(file: String, votes: Int, data: String, rows: Int)

    public var description: String {
        switch self {
        case let .cannotOpen(file, reason): return "\(file): cannot open: \(reason)"
        case let .badHeader(file, found):
            return "\(file):1: expected FER+'s header \(FERPlusVotes.columns.joined(separator: ",")), found '\(found)'"
        case let .badRow(file, line, reason): return "\(file):\(line): \(reason)"
        case let .rowCountMismatch(file, votes, data, rows):
            return "\(file): \(votes) rows of votes, but \(data) has \(rows) data rows (the two files must be row-aligned)"
        }
    }
}
