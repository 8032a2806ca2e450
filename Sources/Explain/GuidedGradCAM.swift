import NN

/// Guided Grad-CAM (Selvaraju et al. 2017): guided backpropagation × the Grad-CAM upsampled to the input.
///
/// Matches Captum 0.7 `GuidedGradCam` (`attr/_core/guided_grad_cam.py`: the ReLU'd `LayerGradCam` times
/// `GuidedBackprop`) when `upsampling` is `.nearest`, Captum's default; NeoICH's default is trilinear
/// (`CAMUpsampling`).
public struct GuidedGradCAM: AttributionMethod {
    public let model: any ExplainableModel
    public var layer: String
    public var upsampling: CAMUpsampling

    /// - Parameter layer: the captured activation; `nil` takes the model's last residual stage.
    public init(model: any ExplainableModel, layer: String? = nil, upsampling: CAMUpsampling = .trilinear) {
        self.model = model
        self.layer = layer ?? model.defaultCAMLayer
        self.upsampling = upsampling
    }

    public var name: AttributionMethodName { .guidedGradCAM }

    public func attribute(_ input: Tensor, target: AttributionTarget) throws -> Tensor {
        try validateAttributionInput(input)
        let targets = try model.resolve(target, for: input)
        let cam = try GradCAM(model: model, layer: layer, upsampling: upsampling).attribute(input, target: .perSample(targets))
        let guided = try GuidedBackprop(model: model).attribute(input, target: .perSample(targets))
        return try guided.multiplying(cam)
    }
}
