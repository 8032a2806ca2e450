import NN

/// Grad-CAM++ (Chattopadhay et al. 2018), as pytorch-grad-cam computes it:
/// `a = g² / (2g² + (Σ_S A_k)·g³ + 1e-6)`, `a = 0` where `g = 0`, `w_k = Σ_S relu(g)·a`, `cam = relu(Σ_k w_k A_k)`
/// (the gradient of the raw logit, no `exp(score)`).
///
/// The layer-resolution map matches pytorch-grad-cam 1.5.7 `GradCAMPlusPlus` (`grad_cam_plusplus.py`, the first
/// version with 3-D support) before its normalisation. MONAI's GradCAM++ differs (denominator `2g² + Σ_S(A·g³)`).
public struct GradCAMPlusPlus: ClassActivationMapMethod {
    public let model: any ExplainableModel
    public var layer: String
    public var upsampling: CAMUpsampling

    /// - Parameter layer: the captured activation; `nil` takes the model's last residual stage.
    public init(model: any ExplainableModel, layer: String? = nil, upsampling: CAMUpsampling = .trilinear) {
        self.model = model
        self.layer = layer ?? model.defaultCAMLayer
        self.upsampling = upsampling
    }

    public var name: AttributionMethodName { .gradCAMPlusPlus }

    public func channelWeights(activations: Tensor, gradients g: Tensor) throws -> Tensor {
        let spatial = Array(2..<g.rank)
        let g2 = try g.square()
        let g3 = try g2.multiplying(g)
        let sumA = try activations.sum(dims: spatial, keepDims: true)
        let denominator = try g2.multiplying(2).adding(sumA.multiplying(g3)).adding(1e-6)
        let zero = try Tensor.zeros([1], dtype: g.dtype)
        let a = try Tensor.where(g.ne(0), g2.dividing(denominator), zero)
        return try g.relu().multiplying(a).sum(dims: spatial)
    }
}
