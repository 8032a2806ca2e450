/// Fully connected layer (`torch.nn.Linear`): `y = x·Wᵀ + b`, weight (out, in).
public final class Linear: Layer {
    public let weight: Tensor
    public let bias: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true,
                initializer: Initializer = .pytorchDefault, generator: Generator) throws {
        weight = try parameter(initializer.weight([outFeatures, inFeatures], generator: generator))
        self.bias = bias ? try parameter(initializer.bias(outFeatures, fanIn: inFeatures, generator: generator)) : nil
    }

    public var localParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func forward(_ input: Tensor, mode: Mode) throws -> Tensor {
        try input.linear(weight: weight, bias: bias)
    }
}
