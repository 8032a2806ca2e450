import NN

/// Input × gradient (Shrikumar et al. 2016): `x · ∂ logit_target / ∂ x`, signed.
///
/// Matches Captum 0.7 `InputXGradient` (`attr/_core/input_x_gradient.py`).
public struct InputXGradient: AttributionMethod {
    public let model: any ExplainableModel

    public init(model: any ExplainableModel) {
        self.model = model
    }

    public var name: AttributionMethodName { .inputXGradient }

    public func attribute(_ input: Tensor, target: AttributionTarget) throws -> Tensor {
        try validateAttributionInput(input)
        let g = try model.inputGradient(input, targets: model.resolve(target, for: input))
        return try input.multiplying(g)
    }
}
