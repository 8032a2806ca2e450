/// Stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay, as `torch.optim.SGD`:
///
/// `g ← ∇ + λ·θ`; `b ← μ·b + (1 − τ)·g` (b = g at the first step); `g ← g + μ·b` (Nesterov) or `g ← b`;
/// `θ ← θ − η·g`.
public final class SGD: Optimizer {
    public var learningRate: Double
    public let momentum: Double
    public let dampening: Double
    public let weightDecay: Double
    public let nesterov: Bool
    public let parameters: [Tensor]
    private var buffers: [Tensor?]

    /// nnU-Net v2 uses lr 0.01, momentum 0.99, weight decay 3e-5, Nesterov.
    public init(_ parameters: [Tensor], learningRate: Double, momentum: Double = 0, dampening: Double = 0,
                weightDecay: Double = 0, nesterov: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        buffers = Array(repeating: nil, count: parameters.count)
    }

    public func step() throws {
        try GradMode.withoutGrad {
            for (i, p) in parameters.enumerated() {
                guard let grad = p.grad else { continue }
                var d = grad
                if weightDecay != 0 { d = try d.adding(p.multiplying(weightDecay)) }
                if momentum != 0 {
                    let buffer: Tensor
                    if let existing = buffers[i] {
                        try existing.multiplyInPlace(momentum)
                        try existing.addInPlace(d, alpha: 1 - dampening)
                        buffer = existing
                    } else {
                        buffer = try d.clone()
                        buffers[i] = buffer
                    }
                    d = nesterov ? try d.adding(buffer.multiplying(momentum)) : buffer
                }
                try p.addInPlace(d, alpha: -learningRate)
            }
        }
    }

    public func stateTensors() throws -> [String: Tensor] {
        var state: [String: Tensor] = [:]
        for (i, b) in buffers.enumerated() { if let b { state["\(i).momentum_buffer"] = b } }
        return state
    }

    public func loadState(_ state: [String: Tensor]) throws {
        for i in parameters.indices {
            guard let b = state["\(i).momentum_buffer"] else { buffers[i] = nil; continue }
            guard b.shape == parameters[i].shape else {
                throw OptimizerError.stateMismatch("momentum buffer \(i) has shape \(b.shape), parameter \(parameters[i].shape)")
            }
            buffers[i] = try b.to(device: parameters[i].device).clone()
        }
    }
}
