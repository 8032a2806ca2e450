import Foundation
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

/// The attribution methods by name: each entry owns the name, its aliases and how the method is built.
///
/// Adding a method is one file with the type and one entry in `builtIn`; `register` adds one at run time.
public enum AttributionMethods {
    /// Builds a method over a model that already answers the configured output (`AttributionOutput.scored`).
    public typealias Builder = @Sendable (_ model: any ExplainableModel, _ configuration: AttributionConfiguration,
                                          _ generator: Generator) -> any AttributionMethod

    /// One registered method.
    public struct Entry: Sendable {
        public var name: AttributionMethodName
        /// Other spellings `AttributionMethodName(parsing:)` accepts (compared without case, "-" and "_").
        public var aliases: [String]
        public var make: Builder

        public init(_ name: AttributionMethodName, aliases: [String] = [], make: @escaping Builder) {
            self.name = name
            self.aliases = aliases
            self.make = make
        }
    }

    static let builtIn: [Entry] = [
        Entry(.saliency) { model, _, _ in Saliency(model: model) },
        Entry(.inputXGradient, aliases: ["ixg"]) { model, _, _ in InputXGradient(model: model) },
        Entry(.smoothGrad) { model, c, generator in
            SmoothGrad(model: model, samples: c.smoothGradSamples, noise: c.smoothGradNoise, batchSize: c.batchSize, generator: generator)
        },
        Entry(.gradientShap, aliases: ["shap"]) { model, c, generator in
            GradientShap(model: model, samples: c.gradientShapSamples, batchSize: c.batchSize, generator: generator)
        },
        Entry(.gradCAM) { model, c, _ in GradCAM(model: model, layer: c.layer, upsampling: c.upsampling) },
        Entry(.guidedGradCAM) { model, c, _ in GuidedGradCAM(model: model, layer: c.layer, upsampling: c.upsampling) },
        Entry(.gradCAMPlusPlus, aliases: ["gradcam++"]) { model, c, _ in
            GradCAMPlusPlus(model: model, layer: c.layer, upsampling: c.upsampling, variant: c.camVariant)
        },
        Entry(.guidedBackprop, aliases: ["guidedbackpropagation"]) { model, _, _ in GuidedBackprop(model: model) },
    ]

    private static let registry = MethodRegistry(builtIn)

    /// Every registered method, built-in first, in registration order.
    public static var entries: [Entry] { registry.entries }

    /// Adds `entry` (replacing a method of the same name).
    public static func register(_ entry: Entry) { registry.register(entry) }

    /// The method `name` over `model`'s `configuration.output` with `configuration`; random methods draw from
    /// `generator`.
    ///
    /// - Throws: `ExplainError.invalidConfiguration` for a name that is not registered.
    public static func make(_ name: AttributionMethodName, model unscored: any ExplainableModel,
                            configuration: AttributionConfiguration = AttributionConfiguration(),
                            generator: Generator) throws -> any AttributionMethod {
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw ExplainError.invalidConfiguration("unknown attribution method \(name.rawValue) (known: \(entries.map(\.name.rawValue).joined(separator: ", ")))")
        }
        return entry.make(configuration.output.scored(unscored), configuration, generator)
    }
}

/// The registered methods, shared by every thread.
private final class MethodRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [AttributionMethods.Entry]

    init(_ builtIn: [AttributionMethods.Entry]) { list = builtIn }

    var entries: [AttributionMethods.Entry] { lock.withLock { list } }

    func register(_ entry: AttributionMethods.Entry) {
        lock.withLock {
            if let index = list.firstIndex(where: { $0.name == entry.name }) { list[index] = entry } else { list.append(entry) }
        }
    }
}
