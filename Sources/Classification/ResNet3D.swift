import NN

/// A 3-D ResNet classifier with MONAI-compatible parameter names (`conv1`, `bn1`, `layer{1-4}.{j}.…`, `fc`),
/// so that weights trained with MONAI's `ResNet` (or MedicalNet without its `module.` prefix) load directly.
///
/// `forward` returns logits; `logProbabilities` applies the log-softmax that 001_… trains with (NLL loss).
public final class ResNet3D: Module {
    public let configuration: ResNet3DConfiguration
    let conv1: Conv3d
    let bn1: BatchNorm3d
    let stages: [Sequential]
    let fc: Linear

    /// Names of the activations `forward(_:mode:capture:)` can return.
    public static let activationNames = ["stem", "layer1", "layer2", "layer3", "layer4", "pooled"]

    public init(_ configuration: ResNet3DConfiguration, generator: Generator) throws {
        self.configuration = configuration
        let c = configuration
        guard c.stemKernel.count == 3, c.stemStride.count == 3, !c.layers.isEmpty else {
            throw ModuleError.invalidConfiguration("ResNet3D needs 3 stem kernel/stride values and at least one stage")
        }
        conv1 = try Conv3d(c.inputChannels, c.width, kernel: c.stemKernel, stride: c.stemStride,
                           padding: c.stemKernel.map { $0 / 2 }, bias: false,
                           initializer: .kaimingNormal(a: 0, fanOut: true), generator: generator)
        bn1 = try BatchNorm3d(c.width)
        var inChannels = c.width
        var stages: [Sequential] = []
        for (index, (blocks, planes)) in zip(c.layers, c.stageWidths).enumerated() {
            var list: [any Layer] = []
            for j in 0..<blocks {
                let block = try ResidualBlock(inChannels: inChannels, planes: planes, stride: j == 0 && index > 0 ? 2 : 1,
                                              configuration: c, generator: generator)
                list.append(BlockLayer(block))
                inChannels = planes * c.block.expansion
            }
            stages.append(Sequential(list))
        }
        self.stages = stages
        fc = try Linear(inChannels, c.classes, generator: generator)
        try GradMode.withoutGrad { try fc.bias?.zero() }  // MONAI sets the fc bias to 0
    }

    public var children: [(name: String, module: any Module)] {
        [("conv1", conv1), ("bn1", bn1)] + stages.enumerated().map { ("layer\($0.offset + 1)", $0.element as any Module) } + [("fc", fc)]
    }

    /// Logits (N, classes).
    public func forward(_ x: Tensor, mode: Mode) throws -> Tensor {
        try forward(x, mode: mode, capture: []).logits
    }

    /// Log-probabilities (N, classes), the paper's output layer.
    public func logProbabilities(_ x: Tensor, mode: Mode) throws -> Tensor {
        try forward(x, mode: mode).logSoftmax(dim: 1)
    }

    /// Logits plus the named intermediate activations in `capture` (see `activationNames`), which stay in the
    /// autograd graph so that gradients with respect to them can be taken (GradCAM).
    ///
    /// - Parameters:
    ///   - x: input (N, C, z, y, x).
    ///   - mode: training or inference.
    ///   - capture: names from `activationNames` to return.
    ///   - relu: `.guided` replaces every ReLU of the network by guided backpropagation's (Explain).
    public func forward(_ x: Tensor, mode: Mode, capture: Set<String>,
                        relu: ReLUKind = .standard) throws -> (logits: Tensor, activations: [String: Tensor]) {
        var activations: [String: Tensor] = [:]
        var h = try relu.apply(bn1.forward(conv1.forward(x, mode: mode), mode: mode))
        if configuration.maxPool { h = try h.maxPool(kernel: [3, 3, 3], stride: [2, 2, 2], padding: [1, 1, 1]) }
        if capture.contains("stem") { activations["stem"] = h }
        for (i, stage) in stages.enumerated() {
            for layer in stage.layers {
                guard let block = layer as? BlockLayer else { h = try layer.forward(h, mode: mode); continue }
                h = try block.block.forward(h, mode: mode, relu: relu)
            }
            if capture.contains("layer\(i + 1)") { activations["layer\(i + 1)"] = h }
        }
        let pooled = try h.adaptiveAvgPool(outputSize: [1, 1, 1]).flattened(from: 1)
        if capture.contains("pooled") { activations["pooled"] = pooled }
        return (try fc.forward(pooled, mode: mode), activations)
    }

    /// The activations between which `forward(_:from:through:mode:)` can run, in order: "input", "stem",
    /// "layer1" … "layerN", "logits".
    public var boundaryNames: [String] { ["input", "stem"] + stages.indices.map { "layer\($0 + 1)" } + ["logits"] }

    /// Runs the part of the network that maps the activation `start` to the activation `end` (both from
    /// `boundaryNames`); e.g. "input" → "layer1", then "layer1" → "logits" (the explain benchmark times each
    /// stage with it).
    ///
    /// - Throws: `ModuleError.invalidConfiguration` for an unknown name or `end` before `start`.
    public func forward(_ h: Tensor, from start: String, through end: String, mode: Mode) throws -> Tensor {
        let names = boundaryNames
        guard let from = names.firstIndex(of: start), let to = names.firstIndex(of: end), from <= to else {
            throw ModuleError.invalidConfiguration("ResNet3D segment \(start) → \(end); boundaries are \(names)")
        }
        var h = h
        for step in from..<to {
            switch step {
            case 0:
                h = try bn1.forward(conv1.forward(h, mode: mode), mode: mode).relu()
                if configuration.maxPool { h = try h.maxPool(kernel: [3, 3, 3], stride: [2, 2, 2], padding: [1, 1, 1]) }
            case names.count - 2:
                h = try head(h, mode: mode)
            default:
                h = try stages[step - 1].forward(h, mode: mode)
            }
        }
        return h
    }

    /// Logits from the last stage's activation: global average pooling, then `fc`.
    func head(_ h: Tensor, mode: Mode) throws -> Tensor {
        try fc.forward(h.adaptiveAvgPool(outputSize: [1, 1, 1]).flattened(from: 1), mode: mode)
    }

    /// The final fully connected layer (what `neoich finetune` trains).
    public var classifierHead: Linear { fc }
}

/// Adapts a residual block to `Sequential` while keeping its parameter names.
final class BlockLayer: Layer {
    let block: ResidualBlock
    init(_ block: ResidualBlock) { self.block = block }
    var localParameters: [(name: String, tensor: Tensor)] { block.localParameters }
    var children: [(name: String, module: any Module)] { block.children }
    func forward(_ input: Tensor, mode: Mode) throws -> Tensor { try block.forward(input, mode: mode) }
}
