import KerasKernels

/// Keras merge layers over inputs of one shape: `Add`, `Subtract` (exactly two), `Multiply`,
/// `Average`, `Maximum`, `Minimum`.
final class MergeLayer: Layer {
    enum Operation { case add, subtract, multiply, average, maximum, minimum }
    let outputShape: [Int]
    let operation: Operation

    init(_ context: LayerContext, _ operation: Operation) throws {
        guard context.inputShapes.count >= 2 else {
            throw context.shapeError("expects at least 2 inputs, got \(context.inputShapes.count)")
        }
        if operation == .subtract, context.inputShapes.count != 2 {
            throw context.shapeError("expects exactly 2 inputs, got \(context.inputShapes.count)")
        }
        let first = context.inputShapes[0]
        for shape in context.inputShapes.dropFirst() where shape != first {
            throw context.shapeError("inputs have different shapes, \(Shape.describe(first)) and \(Shape.describe(shape)) (broadcasting is not supported)")
        }
        outputShape = first
        self.operation = operation
    }

    func forward(_ inputs: [UnsafePointer<Float>], output: UnsafeMutablePointer<Float>, batch: Int,
                 scratch: UnsafeMutablePointer<Float>) {
        let count = batch * (Shape.count(outputShape) ?? 0)
        output.update(from: inputs[0], count: count)
        for input in inputs.dropFirst() {
            switch operation {
            case .add, .average: for i in 0..<count { output[i] += input[i] }
            case .subtract: for i in 0..<count { output[i] -= input[i] }
            case .multiply: for i in 0..<count { output[i] *= input[i] }
            case .maximum: for i in 0..<count { output[i] = max(output[i], input[i]) }
            case .minimum: for i in 0..<count { output[i] = min(output[i], input[i]) }
            }
        }
        if operation == .average {
            let inverse = 1 / Float(inputs.count)
            for i in 0..<count { output[i] *= inverse }
        }
    }
}

/// Keras `Concatenate` along one axis (default the last). Inputs must agree on every other axis.
final class ConcatenateLayer: Layer {
    let outputShape: [Int]
    /// Product of the dimensions before the axis (per sample).
    private let outer: Int
    /// Per input: floats in one block (its axis length times the dimensions after the axis).
    private let blocks: [Int]
    private let inputCounts: [Int]

    init(_ context: LayerContext) throws {
        let shapes = context.inputShapes
        guard shapes.count >= 1 else { throw context.shapeError("expects at least 1 input") }
        let rank = shapes[0].count
        let axis = try context.axis(try context.int("axis", default: -1, range: -16...16), rank: rank)
        var total = 0
        for shape in shapes {
            guard shape.count == rank,
                  zip(shape, shapes[0]).enumerated().allSatisfy({ $0.offset == axis || $0.element.0 == $0.element.1 }) else {
                throw context.shapeError("cannot concatenate \(shapes.map(Shape.describe).joined(separator: " and ")) along axis \(axis + 1)")
            }
            total += shape[axis]
        }
        var output = shapes[0]
        output[axis] = total
        outputShape = try context.checkedShape(output)
        outer = shapes[0][..<axis].reduce(1, *)
        let inner = shapes[0][(axis + 1)...].reduce(1, *)
        blocks = shapes.map { $0[axis] * inner }
        inputCounts = shapes.map { Shape.count($0) ?? 0 }
    }

    func forward(_ inputs: [UnsafePointer<Float>], output: UnsafeMutablePointer<Float>, batch: Int,
                 scratch: UnsafeMutablePointer<Float>) {
        var out = output
        for sample in 0..<batch {
            for block in 0..<outer {
                for (index, input) in inputs.enumerated() {
                    let size = blocks[index]
                    out.update(from: input + sample * inputCounts[index] + block * size, count: size)
                    out += size
                }
            }
        }
    }
}
