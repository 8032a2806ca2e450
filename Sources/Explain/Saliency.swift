import NN

/// Saliency (Simonyan et al. 2014): `|∂ logit_target / ∂ x|`.
///
/// Matches Captum 0.7 `Saliency` (`attr/_core/saliency.py`, `abs=True` by default).
public struct Saliency: AttributionMethod {
    public let model: any ExplainableModel
    /// Take the absolute value of the gradient (Captum's default).
    public var absolute: Bool

    public init(model: any ExplainableModel, absolute: Bool = true) {
        self.model = model
        self.absolute = absolute
    }

    public var name: AttributionMethodName { .saliency }

    public func attribute(_ input: Tensor, target: AttributionTarget) throws -> Tensor {
        try validateAttributionInput(input)
        let g = try model.inputGradient(input, targets: model.resolve(target, for: input))
        return absolute ? try g.abs() : g
    }
}
