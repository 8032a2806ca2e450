import NN

/// Settings shared by the attribution methods; defaults are the reference libraries' (Captum 0.7).
public struct AttributionConfiguration: Codable, Sendable, Equatable {
    /// CAM layer; `nil` takes the model's last residual stage ("layer4" for ResNet-34).
    public var layer: String?
    /// CAM upsampling to the input (NeoICH convention: trilinear, align_corners = false).
    public var upsampling: CAMUpsampling
    /// SmoothGrad noisy copies (Captum default 5) and noise standard deviation in input units (Captum 1.0).
    public var smoothGradSamples: Int
    public var smoothGradStdev: Double
    /// GradientShap rows per input (Captum default 5); baselines: one all-zero volume.
    public var gradientShapSamples: Int
    /// Noisy rows per forward/backward in SmoothGrad and GradientShap.
    public var batchSize: Int
    /// Seed of the generator behind SmoothGrad's noise and GradientShap's draws.
    public var seed: UInt64

    public init(layer: String? = nil, upsampling: CAMUpsampling = .trilinear, smoothGradSamples: Int = 5,
                smoothGradStdev: Double = 1.0, gradientShapSamples: Int = 5, batchSize: Int = 5, seed: UInt64 = 0) {
        self.layer = layer
        self.upsampling = upsampling
        self.smoothGradSamples = smoothGradSamples
        self.smoothGradStdev = smoothGradStdev
        self.gradientShapSamples = gradientShapSamples
        self.batchSize = batchSize
        self.seed = seed
    }
}

/// Builds attribution methods by name.
public enum AttributionMethods {
    /// The method `name` over `model` with `configuration`; random methods draw from `generator`.
    public static func make(_ name: AttributionMethodName, model: any ExplainableModel,
                            configuration: AttributionConfiguration = AttributionConfiguration(),
                            generator: Generator) -> any AttributionMethod {
        let c = configuration
        switch name {
        case .saliency: return Saliency(model: model)
        case .inputXGradient: return InputXGradient(model: model)
        case .smoothGrad:
            return SmoothGrad(model: model, samples: c.smoothGradSamples, stdev: c.smoothGradStdev, batchSize: c.batchSize,
                              generator: generator)
        case .gradientShap:
            return GradientShap(model: model, samples: c.gradientShapSamples, batchSize: c.batchSize, generator: generator)
        case .gradCAM: return GradCAM(model: model, layer: c.layer, upsampling: c.upsampling)
        case .guidedGradCAM: return GuidedGradCAM(model: model, layer: c.layer, upsampling: c.upsampling)
        case .gradCAMPlusPlus: return GradCAMPlusPlus(model: model, layer: c.layer, upsampling: c.upsampling)
        case .guidedBackprop: return GuidedBackprop(model: model)
        }
    }
}
