import KerasKernels

/// Keras `Flatten` and `Reshape`: NHWC row-major data keeps its order, so both only relabel
/// the shape (the output aliases the input).
enum ReshapeLayers {
    static func flatten(_ context: LayerContext) throws -> Layer {
        let input = try context.singleInput()
        guard let count = Shape.count(input) else { throw context.shapeError("input too large") }
        return AliasLayer(outputShape: [count])
    }

    /// `target_shape` may hold one -1, inferred from the element count.
    static func reshape(_ context: LayerContext) throws -> Layer {
        let input = try context.singleInput()
        guard let count = Shape.count(input) else { throw context.shapeError("input too large") }
        guard let raw = context.value("target_shape") as? [Any], (1...3).contains(raw.count) else {
            throw context.invalid("'target_shape' is not a list of 1 to 3 integers")
        }
        var target: [Int] = []
        for item in raw {
            guard let value = LayerContext.integer(item), value == -1 || value >= 1 else {
                throw context.invalid("'target_shape' holds something other than positive integers and one -1")
            }
            target.append(value)
        }
        let unknown = target.filter { $0 == -1 }.count
        guard unknown <= 1 else { throw context.invalid("'target_shape' has more than one -1") }
        let known = target.filter { $0 != -1 }.reduce(1) { ($0.times($1)) ?? Int.max }
        if unknown == 1 {
            guard known > 0, count % known == 0 else {
                throw context.shapeError("cannot reshape \(Shape.describe(input)) to \(Shape.describe(target))")
            }
            target = target.map { $0 == -1 ? count / known : $0 }
        }
        guard Shape.count(target) == count else {
            throw context.shapeError("cannot reshape \(Shape.describe(input)) (\(count) values) to \(Shape.describe(target))")
        }
        return AliasLayer(outputShape: target)
    }
}
