import NN

/// Which library's Grad-CAM++ NeoICH computes (REFERENCES.md §2, "known differences").
public enum CAMVariant: String, Sendable, Codable, CaseIterable {
    /// MONAI 1.3 `monai.visualize.GradCAMpp` (the library of the paper's MONAI-style ResNet; the default):
    /// `a = g² / (2g² + Σ_S(A·g³) + 1e-7)` (a denominator of 0 taken as 1), `w_k = Σ_S a·relu(exp(score)·g)`,
    /// `cam = relu(Σ_k w_k A_k)`, upsampled trilinearly (align_corners = false) and min-max normalised to [0, 1]
    /// per input. MONAI's default normaliser maps (min, max) to (1, 0); NeoICH keeps high = important, i.e.
    /// `1 −` MONAI's output.
    case monai
    /// pytorch-grad-cam 1.5.7 `GradCAMPlusPlus` before its normalisation (NeoICH's earlier default):
    /// `a = g² / (2g² + (Σ_S A_k)·g³ + 1e-6)`, `a = 0` where `g = 0`, `w_k = Σ_S relu(g)·a`, no `exp(score)`, the raw
    /// map upsampled by `upsampling`.
    case gradCAM = "grad-cam"
}

/// Grad-CAM++ (Chattopadhay et al. 2018) as MONAI or pytorch-grad-cam computes it (`CAMVariant`), on the
/// gradient of the explained output (`AttributionOutput`).
///
/// The layer-resolution map matches MONAI 1.3.2 `GradCAMpp.compute_map` (`.monai`) or pytorch-grad-cam 1.5.7
/// `GradCAMPlusPlus` (`grad_cam_plusplus.py`, the first version with 3-D support) before its normalisation
/// (`.gradCAM`).
public struct GradCAMPlusPlus: ClassActivationMapMethod {
    public let model: any ExplainableModel
    public var layer: String
    public var upsampling: CAMUpsampling
    public var variant: CAMVariant

    /// - Parameter layer: the captured activation; `nil` takes the model's last residual stage.
    public init(model: any ExplainableModel, layer: String? = nil, upsampling: CAMUpsampling = .trilinear,
                variant: CAMVariant = .monai) {
        self.model = model
        self.layer = layer ?? model.defaultCAMLayer
        self.upsampling = upsampling
        self.variant = variant
    }

    public var name: AttributionMethodName { .gradCAMPlusPlus }

    public func channelWeights(activations: Tensor, gradients g: Tensor, scores: Tensor) throws -> Tensor {
        let spatial = Array(2..<g.rank)
        let g2 = try g.square()
        let g3 = try g2.multiplying(g)
        switch variant {
        case .gradCAM:
            let sumA = try activations.sum(dims: spatial, keepDims: true)
            let denominator = try g2.multiplying(2).adding(sumA.multiplying(g3)).adding(1e-6)
            let zero = try Tensor.zeros([1], dtype: g.dtype)
            let a = try Tensor.where(g.ne(0), g2.dividing(denominator), zero)
            return try g.relu().multiplying(a).sum(dims: spatial)
        case .monai:
            let sumAG3 = try activations.multiplying(g3).sum(dims: spatial, keepDims: true)
            let raw = try g2.multiplying(2).adding(sumAG3)
            let one = try Tensor.ones([1], dtype: g.dtype)
            let denominator = try Tensor.where(raw.ne(0), raw, one).adding(1e-7)
            let a = try g2.dividing(denominator)
            // MONAI broadcasts the batch's scores over the last axis, which is the per-input factor for a batch of one.
            let factor = try scores.exp().reshaped([scores.count] + Array(repeating: 1, count: g.rank - 1))
            return try a.multiplying(g.multiplying(factor).relu()).sum(dims: spatial)
        }
    }

    /// MONAI's variant normalises each input's map to [0, 1] (high = important); pytorch-grad-cam's stays raw.
    public func postprocess(_ upsampled: Tensor) throws -> Tensor {
        guard variant == .monai else { return upsampled }
        let dims = Array(1..<upsampled.rank)
        let low = try upsampled.min(dims: dims, keepDims: true), high = try upsampled.max(dims: dims, keepDims: true)
        let range = try high.subtracting(low)
        let one = try Tensor.ones([1], dtype: upsampled.dtype)
        let safe = try Tensor.where(range.gt(0), range, one)
        return try upsampled.subtracting(low).dividing(safe)
    }
}
