import NN

/// The shape of a `ResidualEncoderUNet` (nnU-Net ResEnc presets' `arch_kwargs`).
public struct ResidualEncoderUNetArchitecture: Codable, Sendable, Equatable {
    public var inputChannels: Int
    public var classes: Int
    public var featuresPerStage: [Int]
    public var kernelSizes: [[Int]]
    public var strides: [[Int]]
    /// Residual blocks per encoder stage (`n_blocks_per_stage`).
    public var blocksPerStage: [Int]
    /// Conv blocks per decoder stage, coarsest first (`n_conv_per_stage_decoder`).
    public var convolutionsPerDecoderStage: [Int]
    /// Width of the stem (`stem_channels`; `nil`: the first stage's width).
    public var stemChannels: Int?

    public init(inputChannels: Int = 1, classes: Int, featuresPerStage: [Int], kernelSizes: [[Int]], strides: [[Int]],
                blocksPerStage: [Int], convolutionsPerDecoderStage: [Int], stemChannels: Int? = nil) {
        self.inputChannels = inputChannels
        self.classes = classes
        self.featuresPerStage = featuresPerStage
        self.kernelSizes = kernelSizes
        self.strides = strides
        self.blocksPerStage = blocksPerStage
        self.convolutionsPerDecoderStage = convolutionsPerDecoderStage
        self.stemChannels = stemChannels
    }
}

/// dynamic_network_architectures' `ResidualEncoderUNet` (nnU-Net's ResEnc M/L/XL presets): a stem conv block,
/// then per stage `n_blocks` ResNet-D basic blocks (the first strided), and `PlainConvUNet`'s decoder.
///
/// A basic block is conv → norm → LeakyReLU → conv → norm, plus the skip (average pooling with kernel = stride
/// when strided, then a bias-free 1×1×1 conv → norm when the width changes), then LeakyReLU. Parameter names
/// are nnU-Net's state-dict keys: `encoder.stem.convs.0.conv.weight`,
/// `encoder.stages.{s}.blocks.{b}.conv1.conv.weight`, `….skip.{0|1}.conv.weight`, `decoder.…` as PlainConvUNet.
public final class ResidualEncoderUNet: Module, SegmentationNetwork {
    public let architecture: ResidualEncoderUNetArchitecture
    let stem: StackedConvBlocks
    let encoderStages: [ResidualStage]
    let decoder: UNetDecoder

    /// A freshly initialised network (He initialisation, a = 0.01).
    ///
    /// - Throws: `SegmentationError.invalidConfiguration` when the per-stage lists disagree.
    public init(_ architecture: ResidualEncoderUNetArchitecture, generator: Generator) throws {
        let a = architecture
        let stages = a.featuresPerStage.count
        guard stages >= 2, a.kernelSizes.count == stages, a.strides.count == stages, a.blocksPerStage.count == stages,
              a.convolutionsPerDecoderStage.count == stages - 1, a.classes >= 1, a.blocksPerStage.allSatisfy({ $0 >= 1 }),
              a.convolutionsPerDecoderStage.allSatisfy({ $0 >= 1 }),
              a.kernelSizes.allSatisfy({ $0.count == 3 }), a.strides.allSatisfy({ $0.count == 3 }) else {
            throw SegmentationError.invalidConfiguration(detail: "ResidualEncoderUNet needs ≥ 2 stages with 3-D kernels, strides and block counts for each: \(a)")
        }
        self.architecture = a
        let stemWidth = a.stemChannels ?? a.featuresPerStage[0]
        stem = try StackedConvBlocks(count: 1, a.inputChannels, stemWidth, kernel: a.kernelSizes[0], firstStride: [1, 1, 1],
                                     generator: generator)
        var inputs = stemWidth
        var encoder: [ResidualStage] = []
        for s in 0..<stages {
            encoder.append(try ResidualStage(count: a.blocksPerStage[s], inputs, a.featuresPerStage[s], kernel: a.kernelSizes[s],
                                             firstStride: a.strides[s], generator: generator))
            inputs = a.featuresPerStage[s]
        }
        encoderStages = encoder
        decoder = try UNetDecoder(featuresPerStage: a.featuresPerStage, strides: a.strides, kernelSizes: a.kernelSizes,
                                  convolutionsPerStage: a.convolutionsPerDecoderStage, classes: a.classes, generator: generator)
    }

    public var children: [(name: String, module: any Module)] {
        [("encoder", NamedModule([("stem", stem), ("stages", ModuleList(encoderStages))])),
         ("decoder", decoder)]
    }

    public var divisor: [Int] {
        (0..<3).map { axis in architecture.strides.reduce(1) { $0 * $1[axis] } }
    }

    public var classCount: Int { architecture.classes }

    /// How the decoder upsamples (nnU-Net: a transposed convolution, libtorch's).
    public var upsampling: UpsamplingMethod = .libtorch

    /// Logits per resolution, full resolution first (N, classes, z, y, x), as nnU-Net's `UNetDecoder` orders its
    /// deep-supervision outputs; only the full-resolution one with `deepSupervision` false.
    public func forward(_ input: Tensor, mode: Mode, deepSupervision: Bool) throws -> [Tensor] {
        var skips: [Tensor] = []
        var x = try stem.forward(input, mode: mode)
        for stage in encoderStages {
            x = try stage.forward(x, mode: mode)
            skips.append(x)
        }
        return try decoder.forward(skips: skips, upsampling: upsampling, mode: mode, deepSupervision: deepSupervision)
    }

    /// Loads a state dict saved by nnU-Net, accepting the alias keys PyTorch lists for shared modules
    /// (`decoder.encoder.*`, `….all_modules.0|1.*`).
    ///
    /// - Throws: `ModuleError.stateDictMismatch` / `.shapeMismatch` naming the keys.
    public func load(nnUNetStateDict state: [String: Tensor]) throws {
        try load(stateDict: PlainConvUNet.canonicalNNUNetKeys(state), strict: true)
    }
}

/// `StackedResidualBlocks`: blocks under `blocks.{b}`, the first with the stage's stride.
final class ResidualStage: Layer {
    let blocks: [ResidualBasicBlock]

    init(count: Int, _ inputs: Int, _ outputs: Int, kernel: [Int], firstStride: [Int], generator: Generator) throws {
        var list: [ResidualBasicBlock] = []
        for b in 0..<count {
            list.append(try ResidualBasicBlock(b == 0 ? inputs : outputs, outputs, kernel: kernel,
                                               stride: b == 0 ? firstStride : [1, 1, 1], generator: generator))
        }
        blocks = list
    }

    var children: [(name: String, module: any Module)] { [("blocks", ModuleList(blocks))] }

    func forward(_ input: Tensor, mode: Mode) throws -> Tensor {
        var x = input
        for block in blocks { x = try block.forward(x, mode: mode) }
        return x
    }
}

/// dynamic_network_architectures' `BasicBlockD` (ResNet-D basic block) with LeakyReLU 0.01.
final class ResidualBasicBlock: Layer {
    let conv1: ConvNormActivation
    let conv2: ConvNormActivation
    let stride: [Int]
    /// The 1×1×1 projection of the skip (no bias), when the width changes.
    let projection: ConvNormActivation?

    init(_ inputs: Int, _ outputs: Int, kernel: [Int], stride: [Int], generator: Generator) throws {
        conv1 = try ConvNormActivation(inputs, outputs, kernel: kernel, stride: stride, generator: generator)
        conv2 = try ConvNormActivation(outputs, outputs, kernel: kernel, stride: [1, 1, 1], activation: false, generator: generator)
        self.stride = stride
        projection = inputs == outputs ? nil
            : try ConvNormActivation(inputs, outputs, kernel: [1, 1, 1], stride: [1, 1, 1], bias: false, activation: false,
                                     generator: generator)
    }

    var isStrided: Bool { stride.contains { $0 != 1 } }

    var children: [(name: String, module: any Module)] {
        var list: [(name: String, module: any Module)] = [("conv1", conv1), ("conv2", conv2)]
        // nn.Sequential(AvgPool, projection) when strided: the pooling has index 0.
        if let projection { list.append(("skip", NamedModule([(isStrided ? "1" : "0", projection)]))) }
        return list
    }

    func forward(_ input: Tensor, mode: Mode) throws -> Tensor {
        var residual = input
        if isStrided { residual = try residual.avgPool(kernel: stride, stride: stride) }
        if let projection { residual = try projection.forward(residual, mode: mode) }
        let out = try conv2.forward(conv1.forward(input, mode: mode), mode: mode)
        return try out.adding(residual).leakyReLU(slope: 0.01)
    }
}
