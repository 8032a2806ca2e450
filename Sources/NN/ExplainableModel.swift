/// How a network's ReLUs back-propagate.
///
/// Passed explicitly to `forward` (never stored in the model), so one model can serve a plain forward and a
/// guided-backpropagation forward at the same time.
public enum ReLUKind: Sendable {
    /// `max(x, 0)` with its ordinary gradient.
    case standard
    /// The same forward value; backward is guided backpropagation, `grad_in = relu(grad_out) · 1[x > 0]`
    /// (Springenberg et al. 2015, Captum's `GuidedBackprop`).
    case guided

    /// The ReLU of this kind applied to `x`.
    public func apply(_ x: Tensor) throws -> Tensor {
        switch self {
        case .standard: try x.relu()
        case .guided: try x.guidedReLU()
        }
    }
}

/// A classifier that attribution methods can explain: logits plus named intermediate activations that stay in
/// the autograd graph, with the ReLU backward selectable (guided backpropagation).
///
/// NeoICH has no forward hooks (Captum's mechanism); the model exposes its activations itself.
public protocol ExplainableModel: AnyObject {
    /// Names of the activations `evaluate` can capture, in network order.
    var attributionLayers: [String] { get }
    /// The CAM layer used when none is given (for a ResNet: the last residual stage).
    var defaultCAMLayer: String { get }
    /// Logits (N, classes) in inference mode, plus the activations named in `capture`.
    func evaluate(_ input: Tensor, capture: Set<String>, relu: ReLUKind) throws -> (logits: Tensor, activations: [String: Tensor])
    /// A faster way to evaluate single-voxel deletions of `input` (1, C, z, y, x) than one whole forward per
    /// voxel, or nil when the network has none (the default).
    ///
    /// - Parameters:
    ///   - input: the unperturbed input.
    ///   - fullFraction: the share of an activation beyond which the whole activation is recomputed.
    func voxelReplacement(for input: Tensor, fullFraction: Double) throws -> (any VoxelReplacement)?
}

extension ExplainableModel {
    public func voxelReplacement(for input: Tensor, fullFraction: Double) throws -> (any VoxelReplacement)? { nil }
}

/// Logits of one input with single voxels replaced, computed from the input's unperturbed activations.
public protocol VoxelReplacement: AnyObject {
    /// Logits (1, classes) of the unperturbed input.
    var unperturbedLogits: Tensor { get }
    /// Whether `profile` is collected.
    var profiling: Bool { get set }
    /// Seconds spent per part of the network, when `profiling`.
    var profile: [String: Double] { get }
    /// Logits (B, classes) of the input with, for sample b, the voxel at linear (z, y, x) offset `offsets[b]`
    /// set to `value` (every input channel).
    func logits(replacing offsets: [Int], with value: Float) throws -> Tensor
}
