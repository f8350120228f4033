@testable import EmotionPipeline
import Foundation
import XCTest

/// `bench`'s engine report, on hand-made figures: the text exactly as the command has always
/// printed it (each layer's time per face and share of their total) and the JSON object's keys.
final class ModelBenchmarkReportTests: XCTestCase {
    private let layers = [ModelBenchmarkReport.Layer(name: "conv1", className: "Conv2D", msPerFace: 1),
                          ModelBenchmarkReport.Layer(name: "dense_long", className: "Dense", msPerFace: 3)]

    private func report(layers: [ModelBenchmarkReport.Layer]?, classified: Double?) -> ModelBenchmarkReport {
        ModelBenchmarkReport(model: "m.h5", threads: 2, batch: 4, msPerFace: 1.23456, gflops: 12.34, mflopPerFace: 133.2675,
                             runs: 50, flipAverage: true, msPerClassifiedFace: classified, layers: layers)
    }

    func testTextWithLayers() {
        XCTAssertEqual(report(layers: layers, classified: 2.5).text, """
            m.h5: 1.2346 ms per face, 12.3 GFLOP/s (133.3 MFLOP per face; threads 2, batch 4, median of 50 runs)
              classified, with flip averaging (2 passes), one thread: 2.5000 ms per face
              conv1       Conv2D    1.0000 ms per face   25.0%
              dense_long  Dense     3.0000 ms per face   75.0%
            """)
        var onePass = report(layers: nil, classified: 2.5)
        onePass.flipAverage = false
        XCTAssertEqual(onePass.text.split(separator: "\n").last, "  classified, one pass, one thread: 2.5000 ms per face")
        XCTAssertEqual(report(layers: nil, classified: nil).text.split(separator: "\n").count, 1)
    }

    func testJSONKeys() throws {
        let line = try jsonLine(report(layers: layers, classified: 2.5))
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        XCTAssertEqual(Set(object.keys), ["model", "threads", "batch", "ms_per_face", "gflops", "mflop_per_face", "runs",
                                          "flip_average", "passes_per_face", "ms_per_classified_face", "layers"])
        XCTAssertEqual(object["passes_per_face"] as? Int, 2)
        XCTAssertEqual(object["flip_average"] as? Bool, true)
        let rows = try XCTUnwrap(object["layers"] as? [[String: Any]])
        XCTAssertEqual(rows.map { Set($0.keys) }, [["name", "class", "ms_per_face"], ["name", "class", "ms_per_face"]])
        XCTAssertEqual(rows.map { $0["ms_per_face"] as? Double }, [1, 3])
        XCTAssertEqual(rows.map { $0["class"] as? String }, ["Conv2D", "Dense"])

        let bare = try jsonLine(report(layers: nil, classified: nil))
        XCTAssertFalse(bare.contains("layers") || bare.contains("ms_per_classified_face"), bare)
    }
}
