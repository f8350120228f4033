// The hostile model-file corpus (MalformedModelTests.swift), continued: absurd sizes, broken
// functional graphs, and classes that are never run.
import Foundation
import KerasEngine
import TestSupport
import XCTest

extension MalformedModelTests {
    // MARK: - Absurd sizes

    /// Sizes taken from the file must be checked before anything is allocated from them.
    func testAbsurdSizesFailFastWithoutAllocating() throws {
        func sized(_ label: String, mentions: [String], oneOf: [String], line: UInt = #line, _ edit: (inout KerasFile) -> Void) throws {
            var file = TinyModel.sequential()
            edit(&file)
            try assertRefused(label, file, mentions: mentions, oneOf: oneOf, line: line)
        }
        try sized("Dense units 2000000000", mentions: ["dense"], oneOf: ["2000000000", "36000000000"]) {
            $0.editLayerConfig("dense") { $0["units"] = 2_000_000_000 }
        }
        try sized("Conv2D filters 2000000000", mentions: ["conv2d"], oneOf: ["2000000000", "18000000000"]) {
            $0.editLayerConfig("conv2d") { $0["filters"] = 2_000_000_000 }
        }
        try sized("input 100000x100000", mentions: [], oneOf: ["100000"]) { file in
            file.editLayerConfig("conv2d_input") { $0["batch_input_shape"] = [NSNull(), 100_000, 100_000, 1] }
            file.editLayerConfig("conv2d") { $0["batch_input_shape"] = [NSNull(), 100_000, 100_000, 1] }
        }
        try sized("input dimension 2^62", mentions: [], oneOf: ["4611686018427387904", "too large", "limit", "overflow"]) { file in
            file.editLayerConfig("conv2d_input") { $0["batch_input_shape"] = [NSNull(), 1 << 62, 4, 1] }
            file.editLayerConfig("conv2d") { $0["batch_input_shape"] = [NSNull(), 1 << 62, 4, 1] }
        }
        try sized("Conv2D kernel_size 100000x100000", mentions: ["conv2d"], oneOf: ["100000"]) {
            $0.editLayerConfig("conv2d") { $0["kernel_size"] = [100_000, 100_000] }
        }
        try sized("Dense kernel declared 100000x100000 (no storage)", mentions: ["dense"], oneOf: ["100000", "10000000000"]) {
            $0.editWeights("dense") { $0.weights[0].unallocatedShape = [100_000, 100_000] }
        }
    }

    func testZeroAndNegativeWindows() throws {
        func window(_ label: String, mentions: [String], oneOf: [String], line: UInt = #line, _ edit: (inout KerasFile) -> Void) throws {
            var file = TinyModel.sequential()
            edit(&file)
            try assertRefused(label, file, mentions: mentions, oneOf: oneOf, line: line)
        }
        // Weights reshaped to agree with the config, so only the config check can catch it.
        func convKernel(_ file: inout KerasFile, _ height: Int, _ width: Int) {
            file.editLayerConfig("conv2d") { $0["kernel_size"] = [height, width] }
            file.editWeights("conv2d") { $0.weights[0] = KerasWeight(name: "kernel:0", shape: [height, width, 1, 2],
                                                                      values: Array(repeating: 0.1, count: height * width * 2)) }
        }
        try window("Conv2D kernel_size 0x3", mentions: ["conv2d"], oneOf: ["kernel_size", "kernel size"]) { convKernel(&$0, 0, 3) }
        try window("Conv2D kernel_size -1x3", mentions: ["conv2d", "kernel"], oneOf: []) {
            $0.editLayerConfig("conv2d") { $0["kernel_size"] = [-1, 3] }
        }
        try window("Conv2D kernel 9x9 on an 8x8 input", mentions: ["conv2d"], oneOf: []) { convKernel(&$0, 9, 9) }
        try window("Conv2D strides 0", mentions: ["conv2d"], oneOf: ["stride"]) { $0.editLayerConfig("conv2d") { $0["strides"] = [0, 1] } }
        try window("Conv2D strides -2", mentions: ["conv2d"], oneOf: ["stride"]) { $0.editLayerConfig("conv2d") { $0["strides"] = [-2, 1] } }
        try window("Conv2D dilation_rate 0", mentions: ["conv2d"], oneOf: ["dilation"]) {
            $0.editLayerConfig("conv2d") { $0["dilation_rate"] = [0, 1] }
        }
        try window("Conv2D groups 0", mentions: ["conv2d"], oneOf: ["groups"]) { $0.editLayerConfig("conv2d") { $0["groups"] = 0 } }
        try window("MaxPooling2D pool_size 0", mentions: ["max_pooling2d"], oneOf: ["pool_size", "pool size"]) {
            $0.editLayerConfig("max_pooling2d") { $0["pool_size"] = [0, 0] }
        }
        try window("MaxPooling2D pool_size -2", mentions: ["max_pooling2d"], oneOf: ["pool_size", "pool size"]) {
            $0.editLayerConfig("max_pooling2d") { $0["pool_size"] = [-2, -2] }
        }
        try window("MaxPooling2D strides 0", mentions: ["max_pooling2d"], oneOf: ["stride"]) {
            $0.editLayerConfig("max_pooling2d") { $0["strides"] = [0, 0] }
        }
        try window("MaxPooling2D strides -1", mentions: ["max_pooling2d"], oneOf: ["stride"]) {
            $0.editLayerConfig("max_pooling2d") { $0["strides"] = [-1, 2] }
        }
    }

    // MARK: - Functional graphs

    func testBrokenGraphs() throws {
        func graph(_ label: String, mentions: [String], oneOf: [String] = [], line: UInt = #line, _ edit: (inout KerasFile) -> Void) throws {
            var file = TinyModel.functional()
            edit(&file)
            try assertRefused(label, file, mentions: mentions, oneOf: oneOf, line: line)
        }
        let cycleWords = ["cycle", "cyclic", "circular", "loop"]
        let severalWords = ["2 ", "two", "more than one", "several", "multiple"]
        try graph("inbound from a layer that does not exist", mentions: ["conv2d", "ghost_layer"]) {
            $0.editLayer("conv2d") { $0["inbound_nodes"] = [[TinyModel.inbound("ghost_layer")]] }
        }
        try graph("output layer that does not exist", mentions: ["ghost_output"]) {
            $0.editModelConfig { $0["output_layers"] = [["ghost_output", 0, 0]] }
        }
        try graph("input layer that does not exist", mentions: ["ghost_input"]) {
            $0.editModelConfig { $0["input_layers"] = [["ghost_input", 0, 0]] }
        }
        try graph("cycle conv2d -> ... -> dense -> conv2d", mentions: [], oneOf: cycleWords) {
            $0.editLayer("conv2d") { $0["inbound_nodes"] = [[TinyModel.inbound("dense")]] }
        }
        // A cycle the input still reaches: input -> conv2d -> add <-> re_lu, add -> pooling -> ...
        // Only a real cycle check catches it; a walk without one never ends.
        try graph("cycle through an Add reachable from the input", mentions: [], oneOf: cycleWords) { file in
            file.editLayers { layers in
                let poolIndex = layers.firstIndex { ($0["name"] as? String) == "max_pooling2d" }!
                layers.insert(["class_name": "Add", "name": "add",
                               "config": ["name": "add", "trainable": true, "dtype": "float32"] as [String: Any],
                               "inbound_nodes": [[TinyModel.inbound("conv2d"), TinyModel.inbound("re_lu")]]], at: poolIndex)
                layers.insert(["class_name": "ReLU", "name": "re_lu",
                               "config": ["name": "re_lu", "trainable": true, "dtype": "float32"] as [String: Any],
                               "inbound_nodes": [[TinyModel.inbound("add")]]], at: poolIndex + 1)
            }
            file.editLayer("max_pooling2d") { $0["inbound_nodes"] = [[TinyModel.inbound("add")]] }
            let poolWeights = file.layers.firstIndex { $0.layer == "max_pooling2d" }!
            file.layers.insert(contentsOf: [KerasLayerWeights(layer: "add", weights: []), KerasLayerWeights(layer: "re_lu", weights: [])],
                               at: poolWeights)
        }
        try graph("layer feeding itself", mentions: ["flatten"], oneOf: cycleWords) {
            $0.editLayer("flatten") { $0["inbound_nodes"] = [[TinyModel.inbound("flatten")]] }
        }
        try graph("two inputs", mentions: ["input"], oneOf: severalWords) { file in
            file.editLayers { layers in
                var second = layers[0]
                second["name"] = "input_2"
                var config = second["config"] as! [String: Any]
                config["name"] = "input_2"
                second["config"] = config
                layers.insert(second, at: 1)
            }
            file.editModelConfig { $0["input_layers"] = [["input_1", 0, 0], ["input_2", 0, 0]] }
            file.layers.insert(KerasLayerWeights(layer: "input_2", weights: []), at: 1)
        }
        try graph("two outputs", mentions: ["output"], oneOf: severalWords) {
            $0.editModelConfig { $0["output_layers"] = [["dense", 0, 0], ["flatten", 0, 0]] }
        }
        try graph("no outputs", mentions: ["output"]) { $0.editModelConfig { $0["output_layers"] = [] as [Any] } }
        try graph("inbound_nodes a string", mentions: ["conv2d"], oneOf: ["inbound", "node"]) {
            $0.editLayer("conv2d") { $0["inbound_nodes"] = "input_1" }
        }
        try graph("inbound reference a number", mentions: ["conv2d"], oneOf: ["inbound", "node"]) {
            $0.editLayer("conv2d") { $0["inbound_nodes"] = [[[17, 0, 0, [String: Any]()]]] }
        }
    }

    // MARK: - Classes that are never run

    func testLambdaAndUnknownClassesAreRefusedByNameAndClass() throws {
        func inserted(_ label: String, className: String, name: String, config: [String: Any] = [:], line: UInt = #line) throws {
            var file = TinyModel.sequential()
            file.editLayers { layers in
                var layerConfig = config
                layerConfig["name"] = name
                layerConfig["trainable"] = true
                layerConfig["dtype"] = "float32"
                layers.insert(["class_name": className, "config": layerConfig], at: 4)  // between flatten and dense
            }
            file.layers.insert(KerasLayerWeights(layer: name, weights: []), at: 3)
            try assertRefused(label, file, mentions: [name, className], line: line)
        }
        // What tf.keras 2 writes for `Lambda(lambda x: x * 2)`: marshalled Python bytecode.
        try inserted("Lambda layer", className: "Lambda", name: "scale_by_two", config: [
            "function": ["4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMIAAAAfABkARQAUwApAk7pAgAAAKkAKQHaAXhyAgAAAHICAAAA+h48aXB5dGhvbi1pbnB1dC0yLWUzZDBlMTgxYjZjOT7aCDxsYW1iZGE+AQAAAPMAAAAA\n", NSNull(), NSNull()],
            "function_type": "lambda", "module": "__main__", "output_shape": NSNull(),
            "output_shape_type": "raw", "output_shape_module": NSNull(), "arguments": [:] as [String: Any],
        ])
        try inserted("TFOpLambda layer", className: "TFOpLambda", name: "tf.math.multiply",
                     config: ["function": "math.multiply"])
        try inserted("custom class", className: "MyCustomBlock", name: "custom_block", config: ["units": 3])
        try inserted("registered custom class", className: "Custom>Attention", name: "attention")
    }
}
