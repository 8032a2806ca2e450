/// `max(x, 0)`.
public final class ReLU: Layer {
    public init() {}
    public func forward(_ input: Tensor, mode: Mode) throws -> Tensor { try input.relu() }
}

/// `x` for x > 0, `slope·x` otherwise; nnU-Net uses slope 0.01.
public final class LeakyReLU: Layer {
    public let slope: Double
    public init(slope: Double = 0.01) { self.slope = slope }
    public func forward(_ input: Tensor, mode: Mode) throws -> Tensor { try input.leakyReLU(slope: slope) }
}

/// Inverted dropout, active only in training, with its own seeded generator.
public final class Dropout: Layer {
    public let probability: Double
    private let generator: Generator

    public init(_ probability: Double, generator: Generator) {
        self.probability = probability
        self.generator = generator
    }

    public func forward(_ input: Tensor, mode: Mode) throws -> Tensor {
        try input.dropout(probability, training: mode.isTraining, generator: generator)
    }
}

/// Passes its input through.
public final class Identity: Layer {
    public init() {}
    public func forward(_ input: Tensor, mode: Mode) throws -> Tensor { input }
}

/// Flattens all dimensions after the batch.
public final class Flatten: Layer {
    public init() {}
    public func forward(_ input: Tensor, mode: Mode) throws -> Tensor { try input.flattened(from: 1) }
}
