import NN

/// Settings shared by the attribution methods; defaults are the reference libraries' (Captum 0.7).
public struct AttributionConfiguration: Codable, Sendable, Equatable {
    /// CAM layer; `nil` takes the model's last residual stage ("layer4" for ResNet-34).
    public var layer: String?
    /// CAM upsampling to the input (NeoICH convention: trilinear, align_corners = false).
    public var upsampling: CAMUpsampling
    /// SmoothGrad noisy copies (Captum default 5).
    public var smoothGradSamples: Int
    /// SmoothGrad's noise: 15 % of the input's range by default (SmoothGrad paper: 10–20 %); Captum's default is
    /// `.absolute(1.0)`, the whole 0…1 range of the normalised crop.
    public var smoothGradNoise: SmoothGradNoise
    /// GradientShap rows per input (Captum default 5); baselines: one all-zero volume.
    public var gradientShapSamples: Int
    /// Noisy rows per forward/backward in SmoothGrad and GradientShap.
    public var batchSize: Int
    /// Seed of the generator behind SmoothGrad's noise and GradientShap's draws.
    public var seed: UInt64
    /// The explained output: `log p(target)` by default (the paper's log-softmax model), or the raw logit.
    public var output: AttributionOutput
    /// Whose Grad-CAM++ is computed: MONAI's by default, or pytorch-grad-cam's.
    public var camVariant: CAMVariant

    public init(layer: String? = nil, upsampling: CAMUpsampling = .trilinear, smoothGradSamples: Int = 5,
                smoothGradNoise: SmoothGradNoise = .standard, gradientShapSamples: Int = 5, batchSize: Int = 5, seed: UInt64 = 0,
                output: AttributionOutput = .logProbability, camVariant: CAMVariant = .monai) {
        self.layer = layer
        self.upsampling = upsampling
        self.smoothGradSamples = smoothGradSamples
        self.smoothGradNoise = smoothGradNoise
        self.gradientShapSamples = gradientShapSamples
        self.batchSize = batchSize
        self.seed = seed
        self.output = output
        self.camVariant = camVariant
    }
}

/// Builds attribution methods by name.
public enum AttributionMethods {
    /// The method `name` over `model`'s `configuration.output` with `configuration`; random methods draw from
    /// `generator`.
    public static func make(_ name: AttributionMethodName, model unscored: any ExplainableModel,
                            configuration: AttributionConfiguration = AttributionConfiguration(),
                            generator: Generator) -> any AttributionMethod {
        let c = configuration
        let model = c.output.scored(unscored)
        switch name {
        case .saliency: return Saliency(model: model)
        case .inputXGradient: return InputXGradient(model: model)
        case .smoothGrad:
            return SmoothGrad(model: model, samples: c.smoothGradSamples, noise: c.smoothGradNoise, batchSize: c.batchSize,
                              generator: generator)
        case .gradientShap:
            return GradientShap(model: model, samples: c.gradientShapSamples, batchSize: c.batchSize, generator: generator)
        case .gradCAM: return GradCAM(model: model, layer: c.layer, upsampling: c.upsampling)
        case .guidedGradCAM: return GuidedGradCAM(model: model, layer: c.layer, upsampling: c.upsampling)
        case .gradCAMPlusPlus: return GradCAMPlusPlus(model: model, layer: c.layer, upsampling: c.upsampling, variant: c.camVariant)
        case .guidedBackprop: return GuidedBackprop(model: model)
        }
    }
}
