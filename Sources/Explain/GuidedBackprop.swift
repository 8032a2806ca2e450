import NN

/// Guided backpropagation (Springenberg et al. 2015): the input gradient with every ReLU's backward replaced
/// by `grad_in = relu(grad_out) · 1[x > 0]`.
///
/// Matches Captum 0.7 `GuidedBackprop` (`attr/_core/guided_backprop_deconvnet.py`), which hooks every
/// `nn.ReLU` of the model; NeoICH's ResNet3D switches its ReLUs by `ReLUKind.guided` instead.
public struct GuidedBackprop: AttributionMethod {
    public let model: any ExplainableModel

    public init(model: any ExplainableModel) {
        self.model = model
    }

    public var name: AttributionMethodName { .guidedBackprop }

    public func attribute(_ input: Tensor, target: AttributionTarget) throws -> Tensor {
        try validateAttributionInput(input)
        return try model.inputGradient(input, targets: model.resolve(target, for: input), relu: .guided)
    }
}
