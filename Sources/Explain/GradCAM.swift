import NN

/// Grad-CAM (Selvaraju et al. 2017): `w_k = mean_S(∂ logit / ∂ A_k)`, `cam = relu(Σ_k w_k A_k)`.
///
/// The layer-resolution map matches pytorch-grad-cam 1.5.7 `GradCAM` before its normalisation
/// (`get_cam_image` then `np.maximum(cam, 0)`) and Captum 0.7 `LayerGradCam(relu_attributions=True)`;
/// `attribute` upsamples it by `upsampling` (trilinear by NeoICH's convention, see `CAMUpsampling`).
public struct GradCAM: ClassActivationMapMethod {
    public let model: any ExplainableModel
    public var layer: String
    public var upsampling: CAMUpsampling

    /// - Parameter layer: the captured activation; `nil` takes the model's last residual stage.
    public init(model: any ExplainableModel, layer: String? = nil, upsampling: CAMUpsampling = .trilinear) {
        self.model = model
        self.layer = layer ?? model.defaultCAMLayer
        self.upsampling = upsampling
    }

    public var name: AttributionMethodName { .gradCAM }

    public func channelWeights(activations: Tensor, gradients: Tensor, scores: Tensor) throws -> Tensor {
        try gradients.mean(dims: Array(2..<gradients.rank))
    }
}
