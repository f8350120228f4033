import KerasEngine

/// What `inspect` prints about a model (and the server's `GET /v1/model`): a Keras-style
/// table, or a JSON object.
public enum ModelSummaryText {
    public static func shapeText(_ shape: [Int]) -> String {
        "(None, " + shape.map(String.init).joined(separator: ", ") + ")"
    }

    public static func flopsText(_ flops: Int) -> String {
        flops >= 1_000_000_000 ? "\(NumberFormat.fixed(Double(flops) / 1e9, 2)) GFLOP"
            : "\(NumberFormat.fixed(Double(flops) / 1e6, 1)) MFLOP"
    }

    public static func render(_ network: KerasModel, metadata: ModelMetadata) -> String {
        func column(_ text: String, _ width: Int) -> String {
            text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
        }
        let nameWidth = max(34, (network.layers.map { $0.name.count + $0.className.count + 3 }.max() ?? 0) + 2)
        let rule = String(repeating: "_", count: nameWidth + 38)
        var out = "Model: \(network.path)\n"
        out += "Written by Keras \(network.kerasVersion ?? "(unknown version)")"
        out += network.backend.map { " (backend: \($0))" } ?? ""
        out += "\n" + rule + "\n"
        out += column("Layer (type)", nameWidth) + column("Output Shape", 26) + "Param #\n"
        out += String(repeating: "=", count: nameWidth + 38) + "\n"
        for layer in network.layers {
            out += column("\(layer.name) (\(layer.className))", nameWidth)
                + column(shapeText(layer.outputShape), 26) + "\(layer.parameterCount)\n"
        }
        out += String(repeating: "=", count: nameWidth + 38) + "\n"
        out += "Total params: \(network.parameterCount)\n"
        out += "Input shape: \(shapeText(network.inputShape))\n"
        out += "Output shape: \(shapeText(network.outputShape))\n"
        out += "FLOPs per inference: \(flopsText(network.flops))\n"
        out += "Labels: \(metadata.labels.joined(separator: ", "))\n"
        out += "Input scale: \(metadata.inputScale.rawValue)\n"
        out += "Flip averaging: \(metadata.flipAverage ? "on" : "off")\n"
        out += "Metadata from: \(metadata.origin)\n"
        for warning in network.warnings { out += "Warning: \(warning)\n" }
        return out
    }

    public static func jsonObject(_ network: KerasModel, metadata: ModelMetadata) -> [String: Any] {
        [
            "model": network.path,
            "keras_version": network.kerasVersion ?? JSONNull(),
            "backend": network.backend ?? JSONNull(),
            "input_shape": network.inputShape,
            "output_shape": network.outputShape,
            "layers": network.layers.map { layer in
                ["name": layer.name, "class": layer.className, "output_shape": layer.outputShape,
                 "params": layer.parameterCount, "inbound": layer.inboundLayers] as [String: Any]
            },
            "total_params": network.parameterCount,
            "flops": network.flops,
            "metadata": [
                "labels": metadata.labels, "input_scale": metadata.inputScale.rawValue,
                "flip_average": metadata.flipAverage, "origin": metadata.origin,
            ] as [String: Any],
            "warnings": network.warnings,
        ]
    }
}
