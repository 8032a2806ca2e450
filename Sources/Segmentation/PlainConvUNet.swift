import NN

/// The shape of a `PlainConvUNet` (nnU-Net's `arch_kwargs`).
public struct UNetArchitecture: Codable, Sendable, Equatable {
    public var inputChannels: Int
    public var classes: Int
    public var featuresPerStage: [Int]
    public var kernelSizes: [[Int]]
    public var strides: [[Int]]
    public var convolutionsPerStage: Int
    public var convolutionsPerDecoderStage: Int

    public init(inputChannels: Int = 1, classes: Int, featuresPerStage: [Int], kernelSizes: [[Int]], strides: [[Int]],
                convolutionsPerStage: Int = 2, convolutionsPerDecoderStage: Int = 2) {
        self.inputChannels = inputChannels
        self.classes = classes
        self.featuresPerStage = featuresPerStage
        self.kernelSizes = kernelSizes
        self.strides = strides
        self.convolutionsPerStage = convolutionsPerStage
        self.convolutionsPerDecoderStage = convolutionsPerDecoderStage
    }

    /// The architecture that `plans` describe (one CT channel).
    public init(_ plans: SegmentationPlans) {
        self.init(classes: plans.classCount, featuresPerStage: plans.featuresPerStage, kernelSizes: plans.topology.kernelSizes,
                  strides: plans.topology.strides, convolutionsPerStage: plans.convolutionsPerStage,
                  convolutionsPerDecoderStage: plans.convolutionsPerDecoderStage)
    }
}

/// nnU-Net v2's `PlainConvUNet` (dynamic_network_architectures): per stage 2 × [conv → InstanceNorm →
/// LeakyReLU], downsampling by the strided first conv of each stage, upsampling by transposed convs with
/// kernel = stride, skip connections by concatenation, a 1×1×1 segmentation head per decoder stage.
///
/// Parameter names are nnU-Net's state-dict keys: `encoder.stages.{s}.0.convs.{j}.conv.weight`,
/// `….norm.weight`, `decoder.transpconvs.{s}.weight`, `decoder.stages.{s}.convs.{j}.…`,
/// `decoder.seg_layers.{s}.weight`. (PyTorch's state dict also lists aliases of the same tensors —
/// `decoder.encoder.*` and `….all_modules.{0,1}.*` — which `load(nnUNetStateDict:)` accepts and drops.)
public final class PlainConvUNet: Module {
    public let architecture: UNetArchitecture
    /// How the decoder upsamples; both give the same values.
    public var upsampling: UpsamplingMethod = .libtorch
    let encoderStages: [Sequential]
    let decoder: UNetDecoder

    /// A freshly initialised network (nnU-Net's `InitWeights_He(1e-2)`).
    ///
    /// - Throws: `SegmentationError.invalidConfiguration` when the per-stage lists disagree.
    public init(_ architecture: UNetArchitecture, generator: Generator) throws {
        let a = architecture
        let stages = a.featuresPerStage.count
        guard stages >= 2, a.kernelSizes.count == stages, a.strides.count == stages, a.classes >= 1,
              a.kernelSizes.allSatisfy({ $0.count == 3 }), a.strides.allSatisfy({ $0.count == 3 }) else {
            throw SegmentationError.invalidConfiguration(detail: "U-Net needs ≥ 2 stages with 3-D kernels and strides for each: \(a)")
        }
        self.architecture = a
        var inputs = a.inputChannels
        var encoder: [Sequential] = []
        for s in 0..<stages {
            encoder.append(Sequential([try StackedConvBlocks(count: a.convolutionsPerStage, inputs, a.featuresPerStage[s],
                                                             kernel: a.kernelSizes[s], firstStride: a.strides[s], generator: generator)]))
            inputs = a.featuresPerStage[s]
        }
        encoderStages = encoder
        decoder = try UNetDecoder(featuresPerStage: a.featuresPerStage, strides: a.strides, kernelSizes: a.kernelSizes,
                                  convolutionsPerStage: Array(repeating: a.convolutionsPerDecoderStage, count: stages - 1),
                                  classes: a.classes, generator: generator)
    }

    public var children: [(name: String, module: any Module)] {
        [("encoder", NamedModule([("stages", Sequential(encoderStages))])), ("decoder", decoder)]
    }

    /// The product of the strides: what every spatial input size must divide by.
    public var divisor: [Int] {
        (0..<3).map { axis in architecture.strides.reduce(1) { $0 * $1[axis] } }
    }

    /// Logits at every decoder resolution, full resolution first (nnU-Net's deep-supervision outputs), or only
    /// the full-resolution logits when `deepSupervision` is false.
    ///
    /// - Parameter input: (N, C, z, y, x) with sizes divisible by `divisor`.
    public func forward(_ input: Tensor, mode: Mode, deepSupervision: Bool) throws -> [Tensor] {
        var skips: [Tensor] = []
        var x = input
        for stage in encoderStages {
            x = try stage.forward(x, mode: mode)
            skips.append(x)
        }
        return try decoder.forward(skips: skips, upsampling: upsampling, mode: mode, deepSupervision: deepSupervision)
    }

    /// A transposed convolution with kernel = stride (the weight's spatial shape), by either method.
    public static func upsample(_ x: Tensor, weight: Tensor, bias: Tensor?, method: UpsamplingMethod) throws -> Tensor {
        switch method {
        case .matmul: return try x.kernelStrideTransposedConvolution(weight: weight, bias: bias)
        case .libtorch:
            return try x.transposedConvolution(weight: weight, bias: bias, stride: Array(weight.shape[2...]), padding: [0, 0, 0])
        }
    }

    /// Loads a state dict saved from nnU-Net / dynamic_network_architectures, accepting the alias keys that
    /// PyTorch lists for shared modules (`decoder.encoder.*`, `….all_modules.0|1.*`).
    ///
    /// - Throws: `ModuleError.stateDictMismatch` / `.shapeMismatch` naming the keys.
    public func load(nnUNetStateDict state: [String: Tensor]) throws {
        try load(stateDict: Self.canonicalNNUNetKeys(state), strict: true)
    }

    /// A state dict without the aliases PyTorch lists for shared modules, `all_modules.0|1` renamed `conv|norm`.
    static func canonicalNNUNetKeys(_ state: [String: Tensor]) -> [String: Tensor] {
        var canonical: [String: Tensor] = [:]
        for (key, tensor) in state where !key.hasPrefix("decoder.encoder.") && !key.contains(".all_modules.") {
            canonical[key] = tensor
        }
        for (key, tensor) in state where key.contains(".all_modules.") && !key.hasPrefix("decoder.encoder.") {
            let renamed = key.replacingOccurrences(of: ".all_modules.0.", with: ".conv.")
                .replacingOccurrences(of: ".all_modules.1.", with: ".norm.")
            if canonical[renamed] == nil { canonical[renamed] = tensor }
        }
        return canonical
    }
}

/// A container with fixed child names and no forward of its own.
final class NamedModule: Module {
    let named: [(name: String, module: any Module)]

    init(_ named: [(name: String, module: any Module)]) { self.named = named }

    var children: [(name: String, module: any Module)] { named }
}
