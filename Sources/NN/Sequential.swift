/// Layers applied in order, named "0", "1", … as `torch.nn.Sequential`.
public final class Sequential: Layer {
    public let layers: [any Layer]

    public init(_ layers: [any Layer]) {
        self.layers = layers
    }

    public var children: [(name: String, module: any Module)] {
        layers.enumerated().map { (name: String($0.offset), module: $0.element as any Module) }
    }

    public func forward(_ input: Tensor, mode: Mode) throws -> Tensor {
        var x = input
        for layer in layers { x = try layer.forward(x, mode: mode) }
        return x
    }
}
