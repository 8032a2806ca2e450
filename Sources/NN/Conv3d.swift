/// 3-D convolution (`torch.nn.Conv3d`); parameters `weight` (out, in/groups, kD, kH, kW) and optional `bias`.
///
/// Runs on oneDNN for float32 CPU inputs at every batch size (see `ConvolutionBackend`).
public final class Conv3d: Layer {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: [Int]
    public let padding: [Int]
    public let dilation: [Int]
    public let groups: Int
    public var backend: ConvolutionBackend = .automatic

    /// - Parameters:
    ///   - kernel, stride, padding, dilation: one value per spatial axis (z, y, x).
    ///   - initializer: PyTorch's default unless a model says otherwise.
    public init(
        _ inChannels: Int, _ outChannels: Int, kernel: [Int], stride: [Int] = [1, 1, 1], padding: [Int] = [0, 0, 0],
        dilation: [Int] = [1, 1, 1], groups: Int = 1, bias: Bool = true,
        initializer: Initializer = .pytorchDefault, generator: Generator
    ) throws {
        guard inChannels % groups == 0, outChannels % groups == 0, groups > 0 else {
            throw ModuleError.invalidConfiguration("channels \(inChannels)→\(outChannels) not divisible by groups \(groups)")
        }
        guard kernel.count == stride.count, kernel.count == padding.count, kernel.count == dilation.count else {
            throw ModuleError.invalidConfiguration("kernel, stride, padding and dilation need one value per axis")
        }
        let shape = [outChannels, inChannels / groups] + kernel
        weight = try parameter(initializer.weight(shape, generator: generator))
        self.bias = bias ? try parameter(initializer.bias(outChannels, fanIn: Initializer.fans(of: shape).fanIn, generator: generator)) : nil
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }

    public var localParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func forward(_ input: Tensor, mode: Mode) throws -> Tensor {
        try input.convolution(weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation,
                              groups: groups, backend: backend)
    }
}

/// 3-D transposed convolution (`torch.nn.ConvTranspose3d`); `weight` is (in, out/groups, kD, kH, kW).
public final class ConvTranspose3d: Layer {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: [Int]
    public let padding: [Int]
    public let outputPadding: [Int]
    public let groups: Int

    public init(
        _ inChannels: Int, _ outChannels: Int, kernel: [Int], stride: [Int], padding: [Int] = [0, 0, 0],
        outputPadding: [Int] = [0, 0, 0], groups: Int = 1, bias: Bool = true,
        initializer: Initializer = .pytorchDefault, generator: Generator
    ) throws {
        guard inChannels % groups == 0, outChannels % groups == 0, groups > 0 else {
            throw ModuleError.invalidConfiguration("channels \(inChannels)→\(outChannels) not divisible by groups \(groups)")
        }
        let shape = [inChannels, outChannels / groups] + kernel
        // PyTorch computes fans of a transposed conv from its weight as stored, i.e. fan_in = (out/groups)·k.
        weight = try parameter(initializer.weight(shape, generator: generator))
        self.bias = bias ? try parameter(initializer.bias(outChannels, fanIn: Initializer.fans(of: shape).fanIn, generator: generator)) : nil
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        self.groups = groups
    }

    public var localParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func forward(_ input: Tensor, mode: Mode) throws -> Tensor {
        try input.transposedConvolution(weight: weight, bias: bias, stride: stride, padding: padding,
                                        outputPadding: outputPadding, groups: groups)
    }
}
