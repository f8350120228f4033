import KerasKernels

/// Maps Keras class names to the layer types that implement them. A class not listed here
/// (Lambda, custom layers, anything unknown) is refused at load with the layer's name and
/// class; nothing from a file is ever executed.
enum LayerRegistry {
    typealias Constructor = (LayerContext) throws -> Layer

    static let constructors: [String: Constructor] = [
        "InputLayer": { try InputLayerNode($0) },
        "Conv2D": { try Conv2DLayer($0) },
        "Convolution2D": { try Conv2DLayer($0) },
        "Dense": { try DenseLayer($0) },
        "BatchNormalization": { try BatchNormalizationLayer($0) },
        "MaxPooling2D": { try Pooling2DLayer($0, kind: .max) },
        "MaxPool2D": { try Pooling2DLayer($0, kind: .max) },
        "AveragePooling2D": { try Pooling2DLayer($0, kind: .average) },
        "AvgPool2D": { try Pooling2DLayer($0, kind: .average) },
        "DepthwiseConv2D": { try DepthwiseConv2DLayer($0) },
        "SeparableConv2D": { try SeparableConv2DLayer($0) },
        "SeparableConvolution2D": { try SeparableConv2DLayer($0) },
        "GlobalAveragePooling2D": { try GlobalPooling2DLayer($0, max: false) },
        "GlobalAvgPool2D": { try GlobalPooling2DLayer($0, max: false) },
        "GlobalMaxPooling2D": { try GlobalPooling2DLayer($0, max: true) },
        "GlobalMaxPool2D": { try GlobalPooling2DLayer($0, max: true) },
        "ZeroPadding2D": { try Spatial2DLayer($0) },
        "Cropping2D": { try Spatial2DLayer($0) },
        "UpSampling2D": { try Spatial2DLayer($0) },
        "Permute": { try PermuteLayer($0) },
        "Add": { try MergeLayer($0, .add) },
        "Subtract": { try MergeLayer($0, .subtract) },
        "Multiply": { try MergeLayer($0, .multiply) },
        "Average": { try MergeLayer($0, .average) },
        "Maximum": { try MergeLayer($0, .maximum) },
        "Minimum": { try MergeLayer($0, .minimum) },
        "Concatenate": { try ConcatenateLayer($0) },
        "Flatten": ReshapeLayers.flatten,
        "Reshape": ReshapeLayers.reshape,
        "Activation": { try ActivationLayer($0) },
        "ReLU": { try ActivationLayer($0) },
        "LeakyReLU": { try ActivationLayer($0) },
        "ELU": { try ActivationLayer($0) },
        "Softmax": { try ActivationLayer($0) },
        "PReLU": { try PReLULayer($0) },
        "Rescaling": { try RescalingLayer($0) },
        // Inactive at inference: the output is the input.
        "Dropout": identity,
        "SpatialDropout1D": identity,
        "SpatialDropout2D": identity,
        "SpatialDropout3D": identity,
        "GaussianNoise": identity,
        "GaussianDropout": identity,
        "AlphaDropout": identity,
        "ActivityRegularization": identity,
    ]

    static func identity(_ context: LayerContext) throws -> Layer {
        AliasLayer(outputShape: try context.singleInput())
    }

    /// Builds the layer, or refuses its class.
    static func make(_ context: LayerContext) throws -> Layer {
        guard let constructor = constructors[context.className] else {
            switch context.className {
            case "Lambda":
                throw context.unsupported("Lambda layers hold Python code, which is never executed")
            case "Model", "Functional", "Sequential":
                throw context.unsupported("nested models (flatten the model before saving)")
            default:
                throw context.unsupported("unknown or custom layer class")
            }
        }
        return try constructor(context)
    }
}
