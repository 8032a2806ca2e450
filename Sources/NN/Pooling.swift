/// Max pooling (`torch.nn.MaxPool3d`).
public final class MaxPool3d: Layer {
    public let kernel: [Int], stride: [Int], padding: [Int]

    public init(kernel: [Int], stride: [Int]? = nil, padding: [Int] = [0, 0, 0]) {
        self.kernel = kernel
        self.stride = stride ?? kernel
        self.padding = padding
    }

    public func forward(_ input: Tensor, mode: Mode) throws -> Tensor {
        try input.maxPool(kernel: kernel, stride: stride, padding: padding)
    }
}

/// Average pooling (`torch.nn.AvgPool3d`, count_include_pad as PyTorch's default).
public final class AvgPool3d: Layer {
    public let kernel: [Int], stride: [Int], padding: [Int]

    public init(kernel: [Int], stride: [Int]? = nil, padding: [Int] = [0, 0, 0]) {
        self.kernel = kernel
        self.stride = stride ?? kernel
        self.padding = padding
    }

    public func forward(_ input: Tensor, mode: Mode) throws -> Tensor {
        try input.avgPool(kernel: kernel, stride: stride, padding: padding)
    }
}

/// Adaptive average pooling to a fixed output size (`torch.nn.AdaptiveAvgPool3d`).
public final class AdaptiveAvgPool3d: Layer {
    public let outputSize: [Int]

    public init(outputSize: [Int] = [1, 1, 1]) {
        self.outputSize = outputSize
    }

    public func forward(_ input: Tensor, mode: Mode) throws -> Tensor {
        try input.adaptiveAvgPool(outputSize: outputSize)
    }
}
