import NN

/// How a CAM at a layer's resolution is brought to the input's size.
///
/// NeoICH's convention (REFERENCES.md §2): the raw CAM (no normalisation) upsampled trilinearly with
/// `align_corners = false`, as `F.interpolate(mode="trilinear")` and MONAI's GradCAM. Captum's GuidedGradCam
/// defaults to `.nearest`; pytorch-grad-cam instead min-max normalises and resizes with `scipy.ndimage.zoom`,
/// which NeoICH does not reproduce.
public enum CAMUpsampling: String, Sendable, Codable, CaseIterable {
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
    /// The channel weights (N, K) from the layer's activations, the gradients of the explained output
    /// (N, K, z', y', x') and the explained output itself, one per input (N).
    func channelWeights(activations: Tensor, gradients: Tensor, scores: Tensor) throws -> Tensor
    /// What the upsampled map becomes before it is returned (N, C, z, y, x); the raw map by NeoICH's convention.
    func postprocess(_ upsampled: Tensor) throws -> Tensor
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
            let index = try Tensor(targets.map { Int64($0) }, shape: [targets.count, 1])
            let scores = try logits.gather(1, index).reshaped([targets.count])
            let g = try gradient(of: scores.sum(), withRespectTo: a)
            // The activations live on the network's device; the map is made on the input's.
            let (a0, g0) = (try a.detached().to(device: input.device), try g.to(device: input.device))
            let w = try channelWeights(activations: a0, gradients: g0, scores: scores.detached())
            let ones = Array(repeating: 1, count: a0.rank - 2)
            return try w.reshaped(w.shape + ones).multiplying(a0).sum(dims: [1], keepDims: true).relu()
        }
    }

    /// The CAM upsampled to the input's spatial size, repeated over the input's channels.
    public func attribute(_ input: Tensor, target: AttributionTarget) throws -> Tensor {
        let cam = try layerMap(input, target: target)
        let up = try postprocess(upsampling.upsample(cam, to: Array(input.shape.dropFirst(2))))
        return input.shape[1] == 1 ? up : try up.expanded(input.shape)
    }

    public func postprocess(_ upsampled: Tensor) throws -> Tensor { upsampled }
}
