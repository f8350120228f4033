import FoundationEssentials

/// The `model_config` JSON of a Keras file, decoded into a neutral description that no longer
/// depends on which Keras generation wrote it.
///
/// Generations handled:
/// - standalone Keras 2.0-2.2: "Model" / "Sequential" (a bare list of layers in 2.0-2.1),
///   `batch_input_shape`, inbound nodes `[[["name", 0, 0, {}], ...]]`;
/// - tf.keras 2.x: "Model", "Functional", "Sequential" as `{"name", "layers"}`;
/// - Keras 3 legacy .h5: `batch_shape`, inbound nodes
///   `[{"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": ["name", 0, 0]}}], "kwargs": {}}]`,
///   dtype-policy objects, Sequential layers without inbound nodes.
struct ModelConfig {
    /// "Model", "Functional" or "Sequential".
    let className: String
    /// Layers in the order Keras lists them.
    let layers: [LayerConfig]
    /// Names of the model's input layers and output layers (each must end up exactly one).
    let inputNames: [String]
    let outputNames: [String]
}

/// One layer as the configuration describes it.
struct LayerConfig {
    let name: String
    let className: String
    /// The layer's `config` dictionary, values as `JSONReader` produced them.
    let config: [String: Any]
    /// Names of the layers whose outputs feed this one, in argument order.
    var inbound: [String]
}

extension ModelConfig {
    /// Decodes the JSON text of `model_config`; `file` only labels errors.
    static func decode(json: String, file: String) throws -> ModelConfig {
        func fail(_ reason: String) -> KerasModelError { .invalidConfig(file: file, reason: reason) }
        guard let object = try? JSONReader.parse(json) else { throw fail("not JSON") }
        guard let root = object as? [String: Any] else { throw fail("not a JSON object") }
        guard let className = root["class_name"] as? String else { throw fail("no class_name at the top level") }
        switch className {
        case "Sequential":
            return try decodeSequential(root["config"], file: file)
        case "Model", "Functional":
            return try decodeFunctional(root["config"], className: className, file: file)
        default:
            throw fail("top-level class '\(className)' is not a Keras Model, Functional or Sequential")
        }
    }

    /// Sequential: the layers feed each other in order; an input layer is made up from the first
    /// layer's `batch_input_shape` when the file has none (Keras 2.0-2.2, some tf.keras files).
    private static func decodeSequential(_ value: Any?, file: String) throws -> ModelConfig {
        let entries: [Any]
        if let list = value as? [Any] {
            entries = list
        } else if let dict = value as? [String: Any], let list = dict["layers"] as? [Any] {
            entries = list
        } else {
            throw KerasModelError.invalidConfig(file: file, reason: "Sequential config has no layer list")
        }
        var layers = try entries.enumerated().map { try decodeLayer($0.element, index: $0.offset, file: file) }
        guard let first = layers.first else {
            throw KerasModelError.invalidConfig(file: file, reason: "Sequential model has no layers")
        }
        if first.className != "InputLayer" {
            guard let shape = first.config["batch_input_shape"] ?? first.config["batch_shape"] else {
                throw KerasModelError.invalidConfig(
                    file: file, reason: "first layer '\(first.name)' of the Sequential model declares no input shape")
            }
            let input = LayerConfig(name: first.name + "_input", className: "InputLayer",
                                    config: ["batch_input_shape": shape], inbound: [])
            layers.insert(input, at: 0)
        }
        for index in layers.indices {
            layers[index].inbound = index == 0 ? [] : [layers[index - 1].name]
        }
        let names = layers.map(\.name)
        return ModelConfig(className: "Sequential", layers: layers, inputNames: [names[0]], outputNames: [names[names.count - 1]])
    }

    private static func decodeFunctional(_ value: Any?, className: String, file: String) throws -> ModelConfig {
        guard let dict = value as? [String: Any], let entries = dict["layers"] as? [Any] else {
            throw KerasModelError.invalidConfig(file: file, reason: "\(className) config has no layer list")
        }
        let layers = try entries.enumerated().map { try decodeLayer($0.element, index: $0.offset, file: file) }
        let inputs = try tensorReferences(dict["input_layers"], key: "input_layers", file: file)
        let outputs = try tensorReferences(dict["output_layers"], key: "output_layers", file: file)
        return ModelConfig(className: className, layers: layers, inputNames: inputs, outputNames: outputs)
    }

    /// `[["name", 0, 0], ...]` (Keras 2) or a single `["name", 0, 0]` (Keras 3 with one tensor).
    private static func tensorReferences(_ value: Any?, key: String, file: String) throws -> [String] {
        guard let list = value as? [Any] else {
            throw KerasModelError.invalidConfig(file: file, reason: "no \(key)")
        }
        if let name = list.first as? String { return [name] }
        return try list.map { item in
            guard let ref = item as? [Any], let name = ref.first as? String else {
                throw KerasModelError.invalidConfig(file: file, reason: "malformed entry in \(key)")
            }
            return name
        }
    }

    private static func decodeLayer(_ value: Any, index: Int, file: String) throws -> LayerConfig {
        guard let entry = value as? [String: Any] else {
            throw KerasModelError.invalidConfig(file: file, reason: "layer #\(index) is not a JSON object")
        }
        guard let className = entry["class_name"] as? String else {
            throw KerasModelError.invalidConfig(file: file, reason: "layer #\(index) has no class_name")
        }
        let config = entry["config"] as? [String: Any] ?? [:]
        guard let name = (entry["name"] as? String) ?? (config["name"] as? String), !name.isEmpty else {
            throw KerasModelError.invalidConfig(file: file, reason: "layer #\(index) (\(className)) has no name")
        }
        let inbound = try inboundLayers(entry["inbound_nodes"], layer: name, file: file)
        return LayerConfig(name: name, className: className, config: config, inbound: inbound)
    }

    /// The layers feeding one layer. A layer called more than once (a shared layer) or fed by a
    /// layer's second output cannot be expressed by this engine's one-output-per-layer graph.
    private static func inboundLayers(_ value: Any?, layer: String, file: String) throws -> [String] {
        if value == nil || value is JSONNull { return [] }
        guard let nodes = value as? [Any] else {
            throw KerasModelError.invalidConfig(file: file, reason: "inbound_nodes of layer '\(layer)' is not a list")
        }
        if nodes.isEmpty { return [] }
        guard nodes.count == 1 else {
            throw KerasModelError.invalidGraph(file: file, reason: "layer '\(layer)' is called \(nodes.count) times (shared layers are not supported)")
        }
        var references: [(name: String, node: Int, tensor: Int)] = []
        let node = nodes[0]
        if let dict = node as? [String: Any] {
            // Keras 3: tensors appear anywhere inside "args".
            collectKerasTensors(dict["args"], into: &references)
        } else if let list = node as? [Any] {
            // Keras 2: a list of [name, node_index, tensor_index, kwargs].
            for item in list {
                guard let ref = item as? [Any], let name = ref.first as? String else {
                    throw KerasModelError.invalidConfig(file: file, reason: "malformed inbound node of layer '\(layer)'")
                }
                let nodeIndex = ref.count > 1 ? (LayerContext.integer(ref[1]) ?? 0) : 0
                let tensorIndex = ref.count > 2 ? (LayerContext.integer(ref[2]) ?? 0) : 0
                references.append((name, nodeIndex, tensorIndex))
            }
        } else {
            throw KerasModelError.invalidConfig(file: file, reason: "malformed inbound node of layer '\(layer)'")
        }
        for ref in references where ref.node != 0 || ref.tensor != 0 {
            throw KerasModelError.invalidGraph(
                file: file, reason: "layer '\(layer)' reads output \(ref.tensor) of call \(ref.node) of '\(ref.name)' (shared or multi-output layers are not supported)")
        }
        return references.map(\.name)
    }

    private static func collectKerasTensors(_ value: Any?, into references: inout [(name: String, node: Int, tensor: Int)]) {
        if let dict = value as? [String: Any] {
            if dict["class_name"] as? String == "__keras_tensor__",
               let config = dict["config"] as? [String: Any],
               let history = config["keras_history"] as? [Any],
               let name = history.first as? String {
                let nodeIndex = history.count > 1 ? (LayerContext.integer(history[1]) ?? 0) : 0
                let tensorIndex = history.count > 2 ? (LayerContext.integer(history[2]) ?? 0) : 0
                references.append((name, nodeIndex, tensorIndex))
            }
        } else if let list = value as? [Any] {
            for item in list { collectKerasTensors(item, into: &references) }
        }
    }
}
