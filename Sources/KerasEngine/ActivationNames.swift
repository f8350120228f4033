import KerasKernels

/// Reading an activation from a model's config: the loader's side of `Activation`, kept with
/// the checked code that parses untrusted files.
extension Activation {
    /// Maps a Keras activation name (or the serialized object Keras 3 may write) to a case.
    /// `kerasMajor` picks between the definitions that changed in Keras 3.
    static func named(_ value: Any?, kerasMajor: Int) -> Activation? {
        var name: String
        if value == nil || value is JSONNull {
            return .linear
        } else if let text = value as? String {
            name = text
        } else if let dict = value as? [String: Any], let text = (dict["config"] as? String) ?? (dict["class_name"] as? String) {
            name = text
        } else {
            return nil
        }
        name = name.lowercased()
        switch name {
        case "linear", "none": return .linear
        case "relu": return .relu
        case "relu6": return .clippedRelu(maxValue: 6, negativeSlope: 0, threshold: 0)
        case "leaky_relu": return .leakyRelu(slope: 0.2)
        case "elu": return .elu(alpha: 1)
        case "selu": return .selu
        case "gelu": return .gelu(approximate: false)
        case "swish", "silu": return .swish
        case "sigmoid": return .sigmoid
        case "hard_sigmoid": return .hardSigmoid(slope: kerasMajor >= 3 ? 1.0 / 6.0 : 0.2)
        case "hard_swish", "hard_silu": return .hardSwish
        case "tanh": return .tanh
        case "softplus": return .softplus
        case "softsign": return .softsign
        case "exponential": return .exponential
        case "mish": return .mish
        case "softmax": return .softmax
        default: return nil
        }
    }
}
