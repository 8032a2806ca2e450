import Foundation

/// Weight initialisation schemes (He et al. 2015 and PyTorch's defaults).
public enum Initializer: Sendable {
    /// PyTorch's default for conv and linear layers: weight ~ U(±√(1/fan_in)) (kaiming_uniform with a = √5),
    /// bias ~ U(±1/√fan_in).
    case pytorchDefault
    /// `kaiming_normal_`: N(0, gain²/fan) with gain = √(2 / (1 + a²)); MONAI's ResNet uses fan-out, a = 0;
    /// nnU-Net's `InitWeights_He` uses fan-in, a = 0.01. Biases are set to 0.
    case kaimingNormal(a: Double = 0, fanOut: Bool = false)
    /// `kaiming_uniform_`: U(±gain·√(3/fan)). Biases are set to 0.
    case kaimingUniform(a: Double = 0, fanOut: Bool = false)

    /// Fan-in and fan-out of a weight shaped (out, in, k…), as `torch.nn.init._calculate_fan_in_and_fan_out`.
    public static func fans(of shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        guard shape.count >= 2 else { return (shape.first ?? 1, shape.first ?? 1) }
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// A freshly drawn weight of `shape`; `fanShape` overrides the shape used for fans (transposed convs).
    public func weight(_ shape: [Int], fanShape: [Int]? = nil, generator: Generator) throws -> Tensor {
        let (fanIn, fanOut) = Initializer.fans(of: fanShape ?? shape)
        switch self {
        case .pytorchDefault:
            let bound = 1 / Foundation.sqrt(Double(max(fanIn, 1)))
            return try Tensor.rand(shape, generator: generator).multiplying(2 * bound).subtracting(bound)
        case .kaimingNormal(let a, let useFanOut):
            let gain = Foundation.sqrt(2 / (1 + a * a))
            let std = gain / Foundation.sqrt(Double(max(useFanOut ? fanOut : fanIn, 1)))
            return try Tensor.randn(shape, generator: generator).multiplying(std)
        case .kaimingUniform(let a, let useFanOut):
            let gain = Foundation.sqrt(2 / (1 + a * a))
            let bound = gain * Foundation.sqrt(3 / Double(max(useFanOut ? fanOut : fanIn, 1)))
            return try Tensor.rand(shape, generator: generator).multiplying(2 * bound).subtracting(bound)
        }
    }

    /// A freshly drawn bias for a layer whose weight has `fanIn` inputs.
    public func bias(_ count: Int, fanIn: Int, generator: Generator) throws -> Tensor {
        switch self {
        case .pytorchDefault:
            let bound = 1 / Foundation.sqrt(Double(max(fanIn, 1)))
            return try Tensor.rand([count], generator: generator).multiplying(2 * bound).subtracting(bound)
        case .kaimingNormal, .kaimingUniform:
            return try Tensor.zeros([count])
        }
    }
}

/// Creates a trainable leaf tensor from a freshly computed value.
func parameter(_ value: Tensor) throws -> Tensor {
    let leaf = try value.detached()
    try leaf.requiringGrad(true)
    return leaf
}
