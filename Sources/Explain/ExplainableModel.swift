import Classification
import NN

/// A classifier that attribution methods can explain: logits plus named intermediate activations that stay in
/// the autograd graph, with the ReLU backward selectable (guided backpropagation).
///
/// NeoICH has no forward hooks (Captum's mechanism); the model exposes its activations itself.
public protocol ExplainableModel: AnyObject {
    /// Names of the activations `evaluate` can capture, in network order.
    var attributionLayers: [String] { get }
    /// The CAM layer used when none is given: the last residual stage.
    var defaultCAMLayer: String { get }
    /// Logits (N, classes) in inference mode, plus the activations named in `capture`.
    func evaluate(_ input: Tensor, capture: Set<String>, relu: ReLUKind) throws -> (logits: Tensor, activations: [String: Tensor])
}

extension ResNet3D: ExplainableModel {
    public var attributionLayers: [String] { ["stem"] + configuration.layers.indices.map { "layer\($0 + 1)" } }

    public var defaultCAMLayer: String { "layer\(configuration.layers.count)" }

    public func evaluate(_ input: Tensor, capture: Set<String>, relu: ReLUKind) throws -> (logits: Tensor, activations: [String: Tensor]) {
        try forward(input, mode: .inference, capture: capture, relu: relu)
    }
}
