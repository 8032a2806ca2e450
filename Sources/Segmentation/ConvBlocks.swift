import NN

/// nnU-Net's `ConvDropoutNormReLU` without dropout: conv (bias) → InstanceNorm (eps 1e-5, affine) →
/// LeakyReLU 0.01; parameters `conv.weight`, `conv.bias`, `norm.weight`, `norm.bias`.
final class ConvNormActivation: Layer {
    let conv: Conv3d
    let norm: InstanceNorm3d
    /// False for the blocks nnU-Net builds with `nonlin=None` (the second conv of a residual block, its skip).
    let activation: Bool

    /// "Same" padding `(k − 1) / 2`; weights as nnU-Net's `InitWeights_He(1e-2)` (Kaiming normal, a = 0.01,
    /// fan-in; biases 0).
    init(_ inputs: Int, _ outputs: Int, kernel: [Int], stride: [Int], bias: Bool = true, activation: Bool = true,
         generator: Generator) throws {
        conv = try Conv3d(inputs, outputs, kernel: kernel, stride: stride, padding: kernel.map { ($0 - 1) / 2 }, bias: bias,
                          initializer: .kaimingNormal(a: 0.01), generator: generator)
        norm = try InstanceNorm3d(outputs, eps: 1e-5, affine: true)
        self.activation = activation
    }

    var children: [(name: String, module: any Module)] { [("conv", conv), ("norm", norm)] }

    func forward(_ input: Tensor, mode: Mode) throws -> Tensor {
        let normalised = try norm.forward(conv.forward(input, mode: mode), mode: mode)
        return activation ? try normalised.leakyReLU(slope: 0.01) : normalised
    }
}

/// nnU-Net's `StackedConvBlocks`: `count` conv blocks, the first with `firstStride` (strided-conv
/// downsampling); parameters under `convs.{i}.`.
final class StackedConvBlocks: Layer {
    let convs: Sequential

    init(count: Int, _ inputs: Int, _ outputs: Int, kernel: [Int], firstStride: [Int], generator: Generator) throws {
        var blocks: [any Layer] = []
        for i in 0..<count {
            blocks.append(try ConvNormActivation(i == 0 ? inputs : outputs, outputs, kernel: kernel,
                                                 stride: i == 0 ? firstStride : [1, 1, 1], generator: generator))
        }
        convs = Sequential(blocks)
    }

    var children: [(name: String, module: any Module)] { [("convs", convs)] }

    func forward(_ input: Tensor, mode: Mode) throws -> Tensor { try convs.forward(input, mode: mode) }
}

/// Modules named "0", "1", … without a forward of their own (`torch.nn.ModuleList`).
final class ModuleList<Element: Module>: Module {
    let items: [Element]

    init(_ items: [Element]) { self.items = items }

    var children: [(name: String, module: any Module)] {
        items.enumerated().map { (name: String($0.offset), module: $0.element as any Module) }
    }
}
