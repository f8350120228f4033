import HDF5

/// Reads a layer's weights from `model_weights/<layer>/`, guided by the layer group's
/// `weight_names` attribute.
///
/// Weight names are paths relative to the layer's group and vary by generation:
/// `conv2d/kernel:0` (Keras 2, tf.keras), `conv2d/kernel` (Keras 3),
/// `sequential_zoo/conv2d/kernel` (Keras 3 Sequential). They are matched to what the layer
/// expects by their last component without `:0`; if the names are unfamiliar (old files), by
/// position, which is the order Keras itself loads them in. Every dataset's shape is checked
/// against the configuration before it is read.
final class WeightLoader {
    let file: HDF5File
    private let group: HDF5Group?

    init(file: HDF5File) {
        self.file = file
        if let root = try? file.root, root.contains("model_weights") {
            self.group = try? root.group("model_weights")
        } else {
            self.group = nil
        }
    }

    /// `expected` lists the weights in Keras's order with the shapes the configuration implies.
    func load(layer: String, className: String, expected: [(name: String, shape: [Int])],
              warnings: inout [String]) throws -> [[Float]] {
        guard !expected.isEmpty else { return [] }
        func missing(_ weight: String) -> KerasModelError {
            .missingWeight(file: file.path, layer: layer, className: className, weight: weight)
        }
        do {
            guard let group, group.contains(layer) else { throw missing(expected[0].name) }
            let layerGroup = try group.group(layer)
            let names: [String]
            if let count = try layerGroup.attributeElementCount("weight_names") {
                // Keras 3 writes a layer without weights as an empty float64 array.
                names = count > 0 ? try layerGroup.stringArrayAttribute("weight_names") ?? [] : []
            } else {
                names = try layerGroup.chunkedStringArrayAttribute("weight_names") ?? []
            }
            guard names.count == expected.count else {
                if names.count < expected.count {
                    let present = Set(names.map(Self.shortName))
                    throw missing(expected.first { !present.contains($0.name) }?.name ?? expected[names.count].name)
                }
                throw KerasModelError.incompatibleShapes(
                    file: file.path, layer: layer, className: className,
                    reason: "model_weights/\(layer) holds \(names.count) weights (\(names.map(Self.shortName).joined(separator: ", "))), the configuration implies \(expected.count) (\(expected.map(\.name).joined(separator: ", ")))")
            }
            // Match by name when every expected weight is found exactly once, else by position.
            let shortNames = names.map(Self.shortName)
            var order = Array(names.indices)
            let byName = expected.map { want in shortNames.indices.filter { shortNames[$0] == want.name } }
            if byName.allSatisfy({ $0.count == 1 }) { order = byName.map { $0[0] } }

            var values: [[Float]] = []
            for (slot, want) in expected.enumerated() {
                let datasetName = names[order[slot]]
                guard layerGroup.contains(datasetName) else { throw missing(datasetName) }
                let dataset = try layerGroup.dataset(datasetName)
                guard dataset.shape == want.shape else {
                    throw KerasModelError.weightShape(file: file.path, layer: layer, className: className,
                                                      dataset: dataset.path, expected: want.shape, found: dataset.shape)
                }
                let data = try dataset.readFloats()
                if data.contains(where: { $0.isNaN }) {
                    warnings.append("layer '\(layer)': \(want.name) contains NaN")
                } else if data.contains(where: { $0.isInfinite }) {
                    warnings.append("layer '\(layer)': \(want.name) contains an infinity")
                }
                values.append(data)
            }
            return values
        } catch let error as HDF5Error {
            throw KerasModelError.hdf5(error)
        }
    }

    /// `seq/conv2d/kernel:0` -> `kernel`.
    static func shortName(_ name: String) -> String {
        var last = name.split(separator: "/").last.map(String.init) ?? name
        if let colon = last.lastIndex(of: ":") { last = String(last[..<colon]) }
        return last
    }
}
