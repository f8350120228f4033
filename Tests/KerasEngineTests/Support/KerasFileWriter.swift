// Writes Keras-layout .h5 files for tests, the way tf.keras 2 lays them out (checked against
// `h5dump -A -H ../shared/models/sequential-fer2013.h5` and `seed-cnn.h5`):
//
//   /                      attributes model_config (JSON), keras_version, backend
//   /model_weights         attributes layer_names (one per layer, weightless ones too),
//                          keras_version, backend
//   /model_weights/<layer> attribute weight_names ("<layer>/kernel:0", ...; an empty float64
//                          array for a layer without weights, as h5py stores `[]`)
//   /model_weights/<layer>/<layer>/kernel:0   float32 dataset, Keras's own layout
//
// A `KerasFile` is that content as values, so a test can break one piece (drop a dataset,
// reshape a weight, corrupt the JSON) and write the result.
import Foundation
import KerasEngine
import TestSupport

/// One weight dataset of a layer: its Keras name ("kernel:0"), shape, and row-major values.
struct KerasWeight {
    var name: String
    var shape: [Int]
    var values: [Float]
    /// When set, the dataset is created with this declared shape and no storage (see
    /// `HDF5Writer.createUnallocatedDataset`); `shape` and `values` are then ignored.
    var unallocatedShape: [Int]? = nil
}

/// One layer's entry under `model_weights`.
struct KerasLayerWeights {
    var layer: String
    var weights: [KerasWeight]
    /// The names written to `weight_names`; nil lists `weights` themselves. Lets a test list a
    /// weight whose dataset is missing.
    var weightNames: [String]? = nil
}

/// The `model_config` attribute as a test wants it.
enum KerasModelConfig {
    /// A JSON object, serialized when written.
    case json([String: Any])
    /// Exactly this text (for configs that are not JSON, or not an object).
    case text(String)
    /// A number where text belongs.
    case number(Int64)
    /// No attribute at all: a weights-only file (`model.save_weights`).
    case absent
}

/// Everything one Keras .h5 file holds, as values.
struct KerasFile {
    var modelConfig: KerasModelConfig
    /// tf.keras 2 writes `model_config` variable-length; Keras 2.0-2.2 (through h5py's numpy
    /// strings) fixed-length. The engine must read both.
    var configStorage: HDF5StringStorage = .variableLength
    var kerasVersion = "2.15.0"
    var backend = "tensorflow"
    /// In `layer_names` order.
    var layers: [KerasLayerWeights]
    /// `layer_names` and `weight_names` are fixed-length in tf.keras 2.3, variable in 2.12.
    var nameStorage: HDF5StringStorage = .fixedLength
    /// Store `layer_names` and every `weight_names` in two chunks (`name0`, `name1`), as h5py
    /// does for attributes over 64 KiB.
    var chunkedNames = false

    private func setNames(_ writer: HDF5Writer, _ name: String, on group: String, _ names: [String]) throws {
        guard chunkedNames, names.count > 1 else {
            return try writer.setAttribute(name, on: group, strings: names, storage: nameStorage)
        }
        let half = names.count / 2
        try writer.setAttribute(name + "0", on: group, strings: Array(names[..<half]), storage: nameStorage)
        try writer.setAttribute(name + "1", on: group, strings: Array(names[half...]), storage: nameStorage)
    }

    func write(to path: String) throws {
        let writer = try HDF5Writer(path: path)
        defer { writer.close() }
        switch modelConfig {
        case let .json(object):
            try writer.setAttribute("model_config", string: KerasFile.json(object), storage: configStorage)
        case let .text(text):
            try writer.setAttribute("model_config", string: text, storage: configStorage)
        case let .number(number):
            try writer.setAttribute("model_config", int64: number)
        case .absent:
            break
        }
        try writer.setAttribute("keras_version", string: kerasVersion)
        try writer.setAttribute("backend", string: backend)

        try writer.createGroup("/model_weights")
        try setNames(writer, "layer_names", on: "/model_weights", layers.map(\.layer))
        try writer.setAttribute("keras_version", on: "/model_weights", string: kerasVersion)
        try writer.setAttribute("backend", on: "/model_weights", string: backend)
        for layer in layers {
            let group = "/model_weights/" + layer.layer
            try writer.createGroup(group)
            let names = layer.weightNames ?? layer.weights.map { layer.layer + "/" + $0.name }
            if names.isEmpty {
                try writer.setAttribute("weight_names", on: group, doubles: [])
            } else {
                try setNames(writer, "weight_names", on: group, names)
            }
            for weight in layer.weights {
                let datasetPath = group + "/" + layer.layer + "/" + weight.name
                if let declared = weight.unallocatedShape {
                    try writer.createUnallocatedDataset(datasetPath, shape: declared, chunk: declared.map { _ in 1 })
                } else {
                    try writer.writeDataset(datasetPath, shape: weight.shape, floats: weight.values)
                }
            }
        }
    }

    static func json(_ object: Any) -> String {
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: - Editing

    /// The `layers` list of the model config (Sequential's `{"name", "layers"}` form and
    /// Functional's alike).
    mutating func editLayers(_ body: (inout [[String: Any]]) -> Void) {
        guard case var .json(root) = modelConfig,
              var inner = root["config"] as? [String: Any],
              var layers = inner["layers"] as? [[String: Any]] else {
            preconditionFailure("editLayers needs a JSON model config with a layers list")
        }
        body(&layers)
        inner["layers"] = layers
        root["config"] = inner
        modelConfig = .json(root)
    }

    /// The entry (`class_name`, `config`, and for Functional `inbound_nodes`) of the layer named `name`.
    mutating func editLayer(_ name: String, _ body: (inout [String: Any]) -> Void) {
        editLayers { layers in
            guard let index = layers.firstIndex(where: { ($0["config"] as? [String: Any])?["name"] as? String == name }) else {
                preconditionFailure("no layer named \(name)")
            }
            body(&layers[index])
        }
    }

    /// The `config` object of the layer named `name`.
    mutating func editLayerConfig(_ name: String, _ body: (inout [String: Any]) -> Void) {
        editLayer(name) { entry in
            var config = entry["config"] as! [String: Any]
            body(&config)
            entry["config"] = config
        }
    }

    /// The model-level `config` object (Functional's `input_layers`, `output_layers`).
    mutating func editModelConfig(_ body: (inout [String: Any]) -> Void) {
        guard case var .json(root) = modelConfig, var inner = root["config"] as? [String: Any] else {
            preconditionFailure("editModelConfig needs a JSON model config")
        }
        body(&inner)
        root["config"] = inner
        modelConfig = .json(root)
    }

    /// The weights of the layer named `layer`.
    mutating func editWeights(_ layer: String, _ body: (inout KerasLayerWeights) -> Void) {
        guard let index = layers.firstIndex(where: { $0.layer == layer }) else { preconditionFailure("no weights for \(layer)") }
        body(&layers[index])
    }
}

// MARK: - A tiny valid model

/// The smallest model that exercises the loader end to end:
///
///     input 8x8x1 -> Conv2D "conv2d" (2 filters, 3x3, relu) -> 6x6x2
///                 -> MaxPooling2D "max_pooling2d" (2x2) -> 3x3x2
///                 -> Flatten "flatten" -> 18 -> Dense "dense" (3 units, softmax)
///
/// Weights are deterministic (a seeded generator), small, and finite. Every broken-file case
/// starts from this and changes one thing.
enum TinyModel {
    static let inputShape = [8, 8, 1]
    static let classes = 3

    /// The configs of the four layers, as tf.keras 2.15 writes them (trimmed of initializers,
    /// which the engine ignores).
    static func layerEntries(batchInputShapeOnFirst: Bool) -> [[String: Any]] {
        var conv: [String: Any] = [
            "name": "conv2d", "trainable": true, "dtype": "float32",
            "filters": 2, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid",
            "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1,
            "activation": "relu", "use_bias": true,
            "kernel_initializer": ["class_name": "GlorotUniform", "config": ["seed": NSNull()]],
            "kernel_regularizer": NSNull(), "bias_regularizer": NSNull(),
        ]
        if batchInputShapeOnFirst { conv["batch_input_shape"] = [NSNull(), 8, 8, 1] }
        return [
            ["class_name": "Conv2D", "config": conv],
            ["class_name": "MaxPooling2D", "config": [
                "name": "max_pooling2d", "trainable": true, "dtype": "float32",
                "pool_size": [2, 2], "padding": "valid", "strides": [2, 2], "data_format": "channels_last",
            ] as [String: Any]],
            ["class_name": "Flatten", "config": [
                "name": "flatten", "trainable": true, "dtype": "float32", "data_format": "channels_last",
            ] as [String: Any]],
            ["class_name": "Dense", "config": [
                "name": "dense", "trainable": true, "dtype": "float32", "units": 3,
                "activation": "softmax", "use_bias": true,
            ] as [String: Any]],
        ]
    }

    static func weights() -> [KerasLayerWeights] {
        var random = SeededRandom(seed: 0x5EED)
        func values(_ count: Int) -> [Float] { (0..<count).map { _ in random.nextFloat() * 0.6 - 0.3 } }
        return [
            KerasLayerWeights(layer: "conv2d", weights: [
                // Shifted positive so that relu passes most of the map and the output depends on
                // the input (a kernel that relu zeroes would leave only the dense bias to check).
                KerasWeight(name: "kernel:0", shape: [3, 3, 1, 2], values: values(18).map { $0 + 0.25 }),
                KerasWeight(name: "bias:0", shape: [2], values: values(2)),
            ]),
            KerasLayerWeights(layer: "max_pooling2d", weights: []),
            KerasLayerWeights(layer: "flatten", weights: []),
            KerasLayerWeights(layer: "dense", weights: [
                KerasWeight(name: "kernel:0", shape: [18, 3], values: values(54)),
                KerasWeight(name: "bias:0", shape: [3], values: values(3)),
            ]),
        ]
    }

    /// tf.keras 2 Sequential: `{"name", "layers"}` with an InputLayer first; `layer_names`
    /// leaves the InputLayer out.
    static func sequential() -> KerasFile {
        let input: [String: Any] = ["class_name": "InputLayer", "config": [
            "batch_input_shape": [NSNull(), 8, 8, 1], "dtype": "float32", "sparse": false,
            "ragged": false, "name": "conv2d_input",
        ] as [String: Any]]
        let config: [String: Any] = [
            "class_name": "Sequential",
            "config": ["name": "sequential", "layers": [input] + layerEntries(batchInputShapeOnFirst: true)] as [String: Any],
        ]
        return KerasFile(modelConfig: .json(config), layers: weights())
    }

    /// tf.keras 2 Functional ("Functional" class, `inbound_nodes` as `[[["name", 0, 0, {}]]]`);
    /// `layer_names` includes the InputLayer.
    static func functional() -> KerasFile {
        let input: [String: Any] = [
            "class_name": "InputLayer", "name": "input_1", "inbound_nodes": [] as [Any],
            "config": ["batch_input_shape": [NSNull(), 8, 8, 1], "dtype": "float32", "sparse": false,
                       "ragged": false, "name": "input_1"] as [String: Any],
        ]
        var previous = "input_1"
        var layers: [[String: Any]] = [input]
        for var entry in layerEntries(batchInputShapeOnFirst: false) {
            let name = (entry["config"] as! [String: Any])["name"] as! String
            entry["name"] = name
            entry["inbound_nodes"] = [[inbound(previous)]]
            layers.append(entry)
            previous = name
        }
        let config: [String: Any] = [
            "class_name": "Functional",
            "config": [
                "name": "model", "layers": layers,
                "input_layers": [["input_1", 0, 0]], "output_layers": [["dense", 0, 0]],
            ] as [String: Any],
        ]
        return KerasFile(modelConfig: .json(config), layers: [KerasLayerWeights(layer: "input_1", weights: [])] + weights())
    }

    /// One tf.keras 2 inbound-node reference: `["layer", node, tensor, {}]`.
    static func inbound(_ layer: String) -> [Any] { [layer, 0, 0, [String: Any]()] }
}
