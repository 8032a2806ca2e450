import NN

/// Which output of the classifier the attribution methods explain.
///
/// 001_…'s model ends in log-softmax (trained with NLL; its threshold is on that output), so the study's score
/// is `log p(target)`: what Captum or a CAM library computes on that model (REFERENCES.md §2). The raw logit
/// is NeoICH's earlier convention. Faithfulness always tracks the target class's probability.
public enum AttributionOutput: String, Sendable, Codable, CaseIterable {
    /// `log softmax(logits)[target]`; the default.
    case logProbability = "log-probability"
    /// The raw logit of the target class.
    case logit

    /// `model` with this output: the model itself for `.logit`, log-softmax over its logits otherwise.
    public func scored(_ model: any ExplainableModel) -> any ExplainableModel {
        switch self {
        case .logit: model
        case .logProbability: model is LogProbabilityModel ? model : LogProbabilityModel(model)
        }
    }
}

/// A classifier whose output is `log softmax(logits)`, as a model with a `LogSoftmax` head: every attribution
/// method applied to it explains `log p(target)`. Activations are the wrapped model's.
public final class LogProbabilityModel: ExplainableModel {
    public let base: any ExplainableModel

    public init(_ base: any ExplainableModel) {
        self.base = base
    }

    public var attributionLayers: [String] { base.attributionLayers }

    public var defaultCAMLayer: String { base.defaultCAMLayer }

    public func evaluate(_ input: Tensor, capture: Set<String>, relu: ReLUKind) throws -> (logits: Tensor, activations: [String: Tensor]) {
        let (logits, activations) = try base.evaluate(input, capture: capture, relu: relu)
        return (try logits.logSoftmax(dim: 1), activations)
    }
}
