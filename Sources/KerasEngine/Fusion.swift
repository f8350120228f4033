import KerasKernels

/// Load-time graph rewriting, so the hot path never sees batch normalization or a separate
/// activation pass:
///
/// - `Conv/Dense -> BatchNormalization` with a linear activation: the normalization's scale and
///   shift are folded into the weights and bias.
/// - `Conv/Dense(relu) -> BatchNormalization` (BN after the activation, as in the seed model):
///   kept as a per-channel affine applied right after the activation, in the same pass.
/// - `Conv/Dense -> Activation/ReLU/LeakyReLU/ELU/Softmax` with a linear activation: the
///   activation moves into the producer.
///
/// Only when the producer feeds nothing else and is not the model's output. A folded layer
/// becomes an alias of its producer.
enum Fusion {
    static func apply(to steps: [KerasModel.Step], output: Int) -> [KerasModel.Step] {
        var steps = steps
        var consumers = [Int](repeating: 0, count: steps.count)
        for step in steps { for input in step.inputs { consumers[input] += 1 } }
        for index in steps.indices {
            let step = steps[index]
            guard step.inputs.count == 1 else { continue }
            let source = step.inputs[0]
            // The producer may itself be an alias (a folded layer, Dropout): follow it back.
            var producerIndex = source
            while steps[producerIndex].layer.isAlias, steps[producerIndex].inputs.count == 1,
                  consumers[producerIndex] == 1, producerIndex != output {
                producerIndex = steps[producerIndex].inputs[0]
            }
            guard consumers[producerIndex] == 1, producerIndex != output, consumers[source] == 1, source != output,
                  let producer = steps[producerIndex].layer as? FusableLayer else { continue }
            var fused = false
            if let norm = step.layer as? BatchNormalizationLayer, norm.scale.count == producer.outputChannels {
                if producer.activation.isLinear && producer.postAffine == nil {
                    producer.foldAffine(scale: norm.scale, shift: norm.shift)
                    fused = true
                } else if producer.postAffine == nil {
                    producer.postAffine = (norm.scale, norm.shift)
                    fused = true
                }
            } else if let activation = step.layer as? ActivationLayer,
                      producer.activation.isLinear, producer.postAffine == nil,
                      activation.outputShape.last == producer.outputChannels {
                producer.activation = activation.activation
                fused = true
            }
            if fused {
                steps[index] = KerasModel.Step(layer: AliasLayer(outputShape: step.layer.outputShape), inputs: step.inputs,
                                               name: step.name, className: step.className)
            }
        }
        return steps
    }
}
