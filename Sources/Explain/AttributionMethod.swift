import NN

/// The name of an attribution method: the methods of 000_… §2.4 (and guided backpropagation, the half of
/// Guided GradCAM), plus any added with `AttributionMethods.register`.
///
/// Each name owns its aliases and its construction (`AttributionMethods.Entry`); `allCases` lists every
/// registered method, built-in first.
public struct AttributionMethodName: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public static let saliency = AttributionMethodName(rawValue: "Saliency")
    public static let inputXGradient = AttributionMethodName(rawValue: "InputXGradient")
    public static let smoothGrad = AttributionMethodName(rawValue: "SmoothGrad")
    public static let gradientShap = AttributionMethodName(rawValue: "GradientShap")
    public static let gradCAM = AttributionMethodName(rawValue: "GradCAM")
    public static let guidedGradCAM = AttributionMethodName(rawValue: "GuidedGradCAM")
    public static let gradCAMPlusPlus = AttributionMethodName(rawValue: "GradCAMPlusPlus")
    public static let guidedBackprop = AttributionMethodName(rawValue: "GuidedBackprop")

    /// The seven methods the study compares (000_… Table 2), in its order.
    public static let study: [AttributionMethodName] = [
        .saliency, .inputXGradient, .smoothGrad, .gradientShap, .gradCAM, .guidedGradCAM, .gradCAMPlusPlus,
    ]

    /// The method whose region importance the study reports first (000_…: Grad-CAM++).
    public static let studyPrimary = AttributionMethodName.gradCAMPlusPlus

    /// Every registered method, built-in first, in registration order.
    public static var allCases: [AttributionMethodName] { AttributionMethods.entries.map(\.name) }

    /// Accepts the display name or a lower-case/kebab spelling of it or of one of its aliases ("gradcam++",
    /// "grad-cam-plus-plus", "ixg").
    public init?(parsing text: String) {
        let key = Self.key(text)
        guard let entry = AttributionMethods.entries.first(where: { entry in
            Self.key(entry.name.rawValue) == key || entry.aliases.contains { Self.key($0) == key }
        }) else { return nil }
        self = entry.name
    }

    public var description: String { rawValue }

    static func key(_ text: String) -> String {
        text.lowercased().replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "_", with: "")
    }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
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
