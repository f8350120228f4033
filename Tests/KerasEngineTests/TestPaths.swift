import Foundation
import XCTest

/// Where the tests find their data: `../shared` beside the package (read in place, never
/// copied) and the fixtures folder next to these sources.
enum TestPaths {
    /// The package root: this file is Tests/KerasEngineTests/TestPaths.swift.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// A path under ../shared, or an XCTSkip saying it is absent.
    static func sharedFile(_ relative: String) throws -> String {
        let path = shared.appendingPathComponent(relative).path
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("\(path) absent: ../shared (models and references beside the checkout) is not available")
        }
        return path
    }
}

/// A reference file: inputs and Keras's outputs for a model, as written by the reference tool:
/// `{model, input_shape, preprocessing, layout, cases: [{name, input, output}]}`.
struct ReferenceFile {
    struct Case {
        let name: String
        let input: [Float]
        let output: [Float]
    }
    let model: String
    let inputShape: [Int]
    let cases: [Case]

    init(path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let cases = root["cases"] as? [[String: Any]] else {
            throw NSError(domain: "ReferenceFile", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(path): not a reference file"])
        }
        model = root["model"] as? String ?? ""
        inputShape = (root["input_shape"] as? [NSNumber])?.map(\.intValue) ?? []
        self.cases = cases.map { entry in
            Case(name: entry["name"] as? String ?? "?",
                 input: (entry["input"] as? [NSNumber])?.map(\.floatValue) ?? [],
                 output: (entry["output"] as? [NSNumber])?.map(\.floatValue) ?? [])
        }
    }
}
