import FoundationEssentials
import Glibc

/// The activation functions Keras names by string (`activation="relu"`, `Activation("gelu")`),
/// plus the parameterised ones of the ReLU, LeakyReLU and ELU layers.
///
/// Activations are applied in place to rows of `width` contiguous floats: for NHWC tensors a row
/// is one pixel's channels, for flat tensors one sample. Only softmax looks at the whole row.
public enum Activation: Equatable {
    case linear
    case relu
    /// Keras's `ReLU` layer and `relu(x, negative_slope, max_value, threshold)`; an infinite
    /// `maxValue` means none.
    case clippedRelu(maxValue: Float, negativeSlope: Float, threshold: Float)
    case leakyRelu(slope: Float)
    case elu(alpha: Float)
    case selu
    /// Exact (erf) GELU, the default of both tf.keras and Keras 3; `approximate` is the tanh form.
    case gelu(approximate: Bool)
    case swish
    case sigmoid
    /// Keras 2: `clip(0.2 x + 0.5, 0, 1)`. Keras 3: `relu6(x + 3) / 6`.
    case hardSigmoid(slope: Float)
    case hardSwish
    case tanh
    case softplus
    case softsign
    case exponential
    case mish
    /// Normalised over each row.
    case softmax

    public var isLinear: Bool { self == .linear }

    /// Applies the activation in place to `rows` rows of `width` floats each.
    public func apply(_ data: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        let count = rows * width
        switch self {
        case .linear:
            return
        case .relu:
            Activation.reluInPlace(data, count: count)
        case .softmax:
            for row in 0..<rows { Activation.softmaxRow(data + row * width, width: width) }
        default:
            for index in 0..<count { data[index] = scalar(data[index]) }
        }
    }

    /// The function on one value (all but softmax).
    @inline(__always)
    public func scalar(_ x: Float) -> Float {
        switch self {
        case .linear, .softmax: return x
        case .relu: return max(x, 0)
        case let .clippedRelu(maxValue, slope, threshold):
            // Keras's relu(x, negative_slope, max_value, threshold), step by step: x where
            // x > threshold (else 0), clipped to [0, max_value] when there is one, minus
            // negative_slope * relu(threshold - x).
            var y = threshold != 0 ? (x > threshold ? x : 0) : max(x, 0)
            if maxValue.isFinite { y = min(max(y, 0), maxValue) }
            if slope != 0 { y -= slope * max(threshold - x, 0) }
            return y
        case let .leakyRelu(slope): return x >= 0 ? x : slope * x
        case let .elu(alpha): return x > 0 ? x : alpha * (Glibc.expm1(x))
        case .selu:
            let alpha: Float = 1.6732632423543772848170429916717
            let scale: Float = 1.0507009873554804934193349852946
            return x > 0 ? scale * x : scale * alpha * Glibc.expm1(x)
        case let .gelu(approximate):
            if approximate {
                let c: Float = 0.7978845608028654
                return 0.5 * x * (1 + Glibc.tanh(c * (x + 0.044715 * x * x * x)))
            }
            return 0.5 * x * (1 + Float(Glibc.erf(Double(x) / 2.0.squareRoot())))
        case .swish: return x / (1 + Glibc.exp(-x))
        case .sigmoid: return 1 / (1 + Glibc.exp(-x))
        case let .hardSigmoid(slope): return min(max(slope * x + 0.5, 0), 1)
        case .hardSwish: return x * min(max(x / 6 + 0.5, 0), 1)
        case .tanh: return Glibc.tanh(x)
        case .softplus:
            // log1p(exp(x)) without overflow for large x.
            return x > 20 ? x : Glibc.log1p(Glibc.exp(x))
        case .softsign: return x / (1 + abs(x))
        case .exponential: return Glibc.exp(x)
        case .mish:
            let softplus = x > 20 ? x : Glibc.log1p(Glibc.exp(x))
            return x * Glibc.tanh(softplus)
        }
    }

    public static func reluInPlace(_ data: UnsafeMutablePointer<Float>, count: Int) {
        var index = 0
        while index + 8 <= count {
            let raw = UnsafeMutableRawPointer(data + index)
            raw.storeBytes(of: simdRelu(raw.loadUnaligned(as: SIMD8<Float>.self)), as: SIMD8<Float>.self)
            index += 8
        }
        while index < count {
            data[index] = max(data[index], 0)
            index += 1
        }
    }

    /// PReLU over `count` values whose slopes repeat every `period` values (`period` = the
    /// channel count for slopes shared over height and width, the sample size for one slope per
    /// value): x where x >= 0, alpha * x below. Contiguous rows of `period`, so it vectorizes.
    public static func prelu(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int,
                             alpha: UnsafePointer<Float>, period: Int) {
        var start = 0
        while start < count {
            let n = min(period, count - start)
            let x = input + start, y = output + start
            for i in 0..<n {
                let v = x[i]
                y[i] = v >= 0 ? v : alpha[i] * v
            }
            start += period
        }
    }

    /// Softmax over one row, shifted by the row's maximum as Keras does, so large logits do not
    /// overflow.
    public static func softmaxRow(_ row: UnsafeMutablePointer<Float>, width: Int) {
        guard width > 0 else { return }
        var maximum = row[0]
        for index in 1..<max(width, 1) where row[index] > maximum { maximum = row[index] }
        var sum: Float = 0
        for index in 0..<width {
            let e = Glibc.exp(row[index] - maximum)
            row[index] = e
            sum += e
        }
        let inverse = 1 / sum
        for index in 0..<width { row[index] *= inverse }
    }
}
