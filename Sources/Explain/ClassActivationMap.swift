import NN

/// How a CAM at a layer's resolution is brought to the input's size.
///
/// NeoICH's convention (REFERENCES.md §2): the raw CAM (no normalisation) upsampled trilinearly with
/// `align_corners = false`, as `F.interpolate(mode="trilinear")` and MONAI's GradCAM. Captum's GuidedGradCam
/// defaults to `.nearest`; pytorch-grad-cam instead min-max normalises and resizes with `scipy.ndimage.zoom`,
/// which NeoICH does not reproduce.
public enum CAMUpsampling: String, Sendable, Codable {
    case trilinear
    case nearest

    func upsample(_ cam: Tensor, to size: [Int]) throws -> Tensor {
        switch self {
        case .trilinear: try cam.interpolated(size: size, mode: .linear, alignCorners: false)
        case .nearest: try cam.interpolated(size: size, mode: .nearest)
        }
    }
}

/// A class-activation-map method: a map at a layer's resolution (N, 1, z', y', x') that `attribute` upsamples.
public protocol ClassActivationMapMethod: AttributionMethod {
    var model: any ExplainableModel { get }
    /// The captured activation the CAM is computed on.
    var layer: String { get }
    var upsampling: CAMUpsampling { get }
    /// The channel weights (N, K) from the layer's activations and the target-logit gradients (N, K, z', y', x').
    func channelWeights(activations: Tensor, gradients: Tensor) throws -> Tensor
}

extension ClassActivationMapMethod {
    /// The raw CAM at the layer's resolution: `relu(Σ_k w_k A_k)`, shape (N, 1, z', y', x').
    ///
    /// - Throws: `ExplainError.unknownLayer` when the model cannot capture `layer`.
    public func layerMap(_ input: Tensor, target: AttributionTarget) throws -> Tensor {
        try validateAttributionInput(input)
        guard model.attributionLayers.contains(layer) else {
            throw ExplainError.unknownLayer(layer, available: model.attributionLayers)
        }
        let targets = try model.resolve(target, for: input)
        return try GradMode.with(enabled: true) {
            let (logits, captured) = try model.evaluate(input.detached().requiringGrad(), capture: [layer], relu: .standard)
            guard let a = captured[layer] else { throw ExplainError.unknownLayer(layer, available: model.attributionLayers) }
            let g = try gradient(of: model.score(logits, targets: targets), withRespectTo: a)
            let (a0, g0) = (try a.detached(), g)
            let w = try channelWeights(activations: a0, gradients: g0)
            let ones = Array(repeating: 1, count: a0.rank - 2)
            return try w.reshaped(w.shape + ones).multiplying(a0).sum(dims: [1], keepDims: true).relu()
        }
    }

    /// The CAM upsampled to the input's spatial size, repeated over the input's channels.
    public func attribute(_ input: Tensor, target: AttributionTarget) throws -> Tensor {
        let cam = try layerMap(input, target: target)
        let up = try upsampling.upsample(cam, to: Array(input.shape.dropFirst(2)))
        return input.shape[1] == 1 ? up : try up.expanded(input.shape)
    }
}
