import NN

/// The attribution methods of 000_… §2.4 (and guided backpropagation, the half of Guided GradCAM).
public enum AttributionMethodName: String, Sendable, Codable, CaseIterable {
    case saliency = "Saliency"
    case inputXGradient = "InputXGradient"
    case smoothGrad = "SmoothGrad"
    case gradientShap = "GradientShap"
    case gradCAM = "GradCAM"
    case guidedGradCAM = "GuidedGradCAM"
    case gradCAMPlusPlus = "GradCAMPlusPlus"
    case guidedBackprop = "GuidedBackprop"

    /// The seven methods the study compares (000_… Table 2), in its order.
    public static let study: [AttributionMethodName] = [
        .saliency, .inputXGradient, .smoothGrad, .gradientShap, .gradCAM, .guidedGradCAM, .gradCAMPlusPlus,
    ]

    /// Accepts the display name or a lower-case/kebab spelling ("gradcam++", "grad-cam-plus-plus", "ixg").
    public init?(parsing text: String) {
        let key = text.lowercased().replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "_", with: "")
        switch key {
        case "saliency": self = .saliency
        case "inputxgradient", "ixg": self = .inputXGradient
        case "smoothgrad": self = .smoothGrad
        case "gradientshap", "shap": self = .gradientShap
        case "gradcam": self = .gradCAM
        case "guidedgradcam": self = .guidedGradCAM
        case "gradcamplusplus", "gradcam++": self = .gradCAMPlusPlus
        case "guidedbackprop", "guidedbackpropagation": self = .guidedBackprop
        default: return nil
        }
    }
}

/// One attribution method (Captum's shape): a map of the input's shape saying how much each voxel matters
/// for the model's output of the target class (the raw logit of the model it is given; `AttributionMethods.make`
/// gives it the study's log p(target), `AttributionOutput`).
///
/// Conforming types hold their model and settings; `attribute` is the one call every method answers.
public protocol AttributionMethod {
    /// Which method this is.
    var name: AttributionMethodName { get }

    /// The attribution map for each input of a batch.
    ///
    /// - Parameters:
    ///   - input: (N, C, z, y, x), finite.
    ///   - target: the class whose output is explained; `.predicted` by default.
    /// - Returns: a float tensor of the input's shape.
    /// - Throws: `ExplainError` for a bad input, target or layer; `TorchError` from libtorch.
    func attribute(_ input: Tensor, target: AttributionTarget) throws -> Tensor
}

extension AttributionMethod {
    /// The attribution map for the predicted class.
    public func attribute(_ input: Tensor) throws -> Tensor {
        try attribute(input, target: .predicted)
    }
}
