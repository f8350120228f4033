import Foundation
import KerasEngine
import TestSupport
import XCTest

/// The execution order the engine derives from a functional model's layer list.
final class GraphTests: XCTestCase {
    /// Input -> a1 -> a2 -> a3 and input -> b1 -> b2 -> b3, joined by an Add, listed the way Keras
    /// lists parallel branches: level by level (a1, b1, a2, b2, a3, b3).
    private func twoBranchModel() -> KerasFile {
        func entry(_ name: String, _ className: String, _ inbound: [String], _ config: [String: Any] = [:]) -> [String: Any] {
            var layerConfig = config
            layerConfig["name"] = name
            return ["class_name": className, "name": name, "config": layerConfig,
                    "inbound_nodes": inbound.isEmpty ? [Any]() : [inbound.map { TinyModel.inbound($0) }] as [Any]]
        }
        var layers = [entry("input_1", "InputLayer", [], ["batch_input_shape": [NSNull(), 4, 4, 1], "dtype": "float32"])]
        for level in 1...3 {
            for branch in ["a", "b"] {
                layers.append(entry("\(branch)\(level)", "Activation", [level == 1 ? "input_1" : "\(branch)\(level - 1)"],
                                    ["activation": branch == "a" ? "relu" : "sigmoid"]))
            }
        }
        layers.append(entry("add", "Add", ["a3", "b3"]))
        layers.append(entry("flatten", "Flatten", ["add"]))
        let config: [String: Any] = [
            "class_name": "Functional",
            "config": ["name": "two_branches", "layers": layers,
                       "input_layers": [["input_1", 0, 0]], "output_layers": [["flatten", 0, 0]]] as [String: Any],
        ]
        let names = layers.map { $0["name"] as! String }
        return KerasFile(modelConfig: .json(config), layers: names.map { KerasLayerWeights(layer: $0, weights: []) })
    }

    /// A branch runs to its end before the next begins, and the result is the one the layer
    /// list's own order gives: relu(x) + sigmoid(sigmoid(sigmoid(x))), element by element.
    func testParallelBranchesRunOneAfterTheOther() throws {
        let directory = try TemporaryDirectory(prefix: "graph-order")
        let path = directory.file("branches.h5")
        try twoBranchModel().write(to: path)
        let model = try KerasModel.load(path: path)
        let order = EngineBenchmark(model: model, threads: 1, batch: 1).profile(seconds: 0.01).map(\.name)
        let branches = order.filter { $0.hasPrefix("a") && $0 != "add" || $0.hasPrefix("b") }
        XCTAssertEqual(branches, ["a1", "a2", "a3", "b1", "b2", "b3"], "execution order \(order)")

        let input: [Float] = (0..<16).map { Float($0) / 4 - 2 }
        let output = model.makeSession(maxBatch: 1).predict(input, batch: 1)
        func sigmoid(_ v: Float) -> Float { 1 / (1 + exp(-v)) }
        for (x, y) in zip(input, output) {
            XCTAssertEqual(y, max(x, 0) + sigmoid(sigmoid(sigmoid(x))), accuracy: 1e-6)
        }
    }
}
