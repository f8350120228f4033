/// The layer graph in execution order, validated: every reference names a layer, there are no
/// cycles, there is exactly one input and one output, and only the layers the output depends
/// on are kept.
struct Graph {
    struct Node {
        let config: LayerConfig
        /// Indices into `nodes` of this node's inputs, in argument order.
        let inputs: [Int]
        /// Position in the configuration's layer list (the order `inspect` shows).
        let kerasIndex: Int
    }

    /// Topologically ordered; `nodes[0]` is the input layer, `nodes[outputIndex]` the output.
    let nodes: [Node]
    let outputIndex: Int
    /// Layers the output does not depend on (dropped, reported as warnings).
    let unused: [String]

    static let maxLayers = 10_000

    init(_ model: ModelConfig, file: String) throws {
        func fail(_ reason: String) -> KerasModelError { .invalidGraph(file: file, reason: reason) }
        let layers = model.layers
        guard layers.count <= Graph.maxLayers else {
            throw fail("\(layers.count) layers, more than the limit of \(Graph.maxLayers)")
        }
        var indexOf: [String: Int] = [:]
        for (index, layer) in layers.enumerated() {
            guard indexOf[layer.name] == nil else { throw fail("two layers are named '\(layer.name)' (layer names must be unique)") }
            indexOf[layer.name] = index
        }
        guard model.inputNames.count == 1 else {
            throw fail("the model has \(model.inputNames.count) inputs (\(model.inputNames.joined(separator: ", "))); only models with one input are supported")
        }
        guard model.outputNames.count == 1 else {
            throw fail("the model has \(model.outputNames.count) outputs (\(model.outputNames.joined(separator: ", "))); only models with one output are supported")
        }
        guard let input = indexOf[model.inputNames[0]] else { throw fail("input layer '\(model.inputNames[0])' does not exist") }
        guard let output = indexOf[model.outputNames[0]] else { throw fail("output layer '\(model.outputNames[0])' does not exist") }
        guard layers[input].className == "InputLayer" else {
            throw fail("input '\(layers[input].name)' is a \(layers[input].className), not an InputLayer")
        }
        var edges: [[Int]] = []
        for layer in layers {
            edges.append(try layer.inbound.map { name in
                guard let source = indexOf[name] else { throw fail("layer '\(layer.name)' reads from '\(name)', which does not exist") }
                return source
            })
        }

        // The layers the output depends on (depth-first, with an explicit stack).
        var needed = [Bool](repeating: false, count: layers.count)
        var stack = [output]
        needed[output] = true
        while let current = stack.popLast() {
            for source in edges[current] where !needed[source] {
                needed[source] = true
                stack.append(source)
            }
        }
        // Kahn's algorithm; what is left unplaced lies on a cycle. Among ready layers it prefers
        // a consumer of the layer just placed, then Keras's own order: a branch runs to its end
        // while its activations are still in cache. Keras lists parallel branches level by level
        // (a1, b1, a2, b2, ...); two nets averaged in one model ran 4% slower in that order
        // than branch by branch (`bench`, one thread).
        var pending = [Int](repeating: 0, count: layers.count)
        var consumers = [[Int]](repeating: [], count: layers.count)
        for index in layers.indices where needed[index] {
            pending[index] = edges[index].count
            for source in edges[index] { consumers[source].append(index) }
        }
        var ready = Set(layers.indices.filter { needed[$0] && pending[$0] == 0 })
        var order: [Int] = []
        var continuing: [Int] = []
        while let next = continuing.min() ?? ready.min() {
            ready.remove(next)
            order.append(next)
            continuing = []
            for consumer in consumers[next] {
                pending[consumer] -= 1
                if pending[consumer] == 0 {
                    ready.insert(consumer)
                    continuing.append(consumer)
                }
            }
        }
        let neededCount = needed.filter { $0 }.count
        guard order.count == neededCount else {
            throw fail("the layers \(Graph.cycleMembers(pending: pending, consumers: consumers).prefix(6).map { layers[$0].name }.joined(separator: ", ")) form a cycle")
        }
        guard needed[input] else { throw fail("output '\(layers[output].name)' does not depend on input '\(layers[input].name)'") }
        for index in layers.indices where needed[index] && index != input {
            if layers[index].className == "InputLayer" {
                throw fail("the output depends on a second input, '\(layers[index].name)'; only models with one input are supported")
            }
            if edges[index].isEmpty { throw fail("layer '\(layers[index].name)' has no inputs") }
        }

        guard order.first == input else { throw fail("input '\(layers[input].name)' is not the first layer to run") }
        var position = [Int](repeating: -1, count: layers.count)
        for (slot, index) in order.enumerated() { position[index] = slot }
        nodes = order.map { index in
            Node(config: layers[index], inputs: edges[index].map { position[$0] }, kerasIndex: index)
        }
        outputIndex = position[output]
        unused = layers.indices.filter { !needed[$0] }.map { layers[$0].name }
    }

    /// The unplaced layers left after Kahn's algorithm, minus those merely downstream of a
    /// cycle: repeatedly drop layers none of whose consumers are still unplaced.
    private static func cycleMembers(pending: [Int], consumers: [[Int]]) -> [Int] {
        var stuck = Set(pending.indices.filter { pending[$0] > 0 })
        var changed = true
        while changed {
            changed = false
            for index in stuck where !consumers[index].contains(where: { stuck.contains($0) }) {
                stuck.remove(index)
                changed = true
            }
        }
        return stuck.sorted()
    }
}
