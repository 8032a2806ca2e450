import Foundation

/// Adam (Kingma & Ba) and AdamW (decoupled weight decay, Loshchilov & Hutter), as `torch.optim.Adam` / `AdamW`:
///
/// `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `θ ← θ − η·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)`;
/// Adam adds `λθ` to g, AdamW multiplies θ by `1 − ηλ` first.
public final class Adam: Optimizer {
    public var learningRate: Double
    public let beta1: Double
    public let beta2: Double
    public let eps: Double
    public let weightDecay: Double
    /// AdamW when true.
    public let decoupledWeightDecay: Bool
    public let parameters: [Tensor]
    private var exponentialAverage: [Tensor?]
    private var exponentialAverageSquared: [Tensor?]
    private var steps: [Int]

    /// PyTorch defaults: β = (0.9, 0.999), ε = 1e-8; 001_…'s classifier uses lr 0.000296.
    public init(_ parameters: [Tensor], learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
                eps: Double = 1e-8, weightDecay: Double = 0, decoupledWeightDecay: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        exponentialAverage = Array(repeating: nil, count: parameters.count)
        exponentialAverageSquared = Array(repeating: nil, count: parameters.count)
        steps = Array(repeating: 0, count: parameters.count)
    }

    /// AdamW with PyTorch's default weight decay of 0.01.
    public static func adamW(_ parameters: [Tensor], learningRate: Double = 1e-3, weightDecay: Double = 0.01) -> Adam {
        Adam(parameters, learningRate: learningRate, weightDecay: weightDecay, decoupledWeightDecay: true)
    }

    public func step() throws {
        try GradMode.withoutGrad {
            for (i, p) in parameters.enumerated() {
                guard var g = p.grad else { continue }
                if weightDecay != 0 {
                    if decoupledWeightDecay {
                        try p.multiplyInPlace(1 - learningRate * weightDecay)
                    } else {
                        g = try g.adding(p.multiplying(weightDecay))
                    }
                }
                let m = try exponentialAverage[i] ?? Tensor.zeros(p.shape, dtype: p.dtype, on: p.device)
                let v = try exponentialAverageSquared[i] ?? Tensor.zeros(p.shape, dtype: p.dtype, on: p.device)
                exponentialAverage[i] = m
                exponentialAverageSquared[i] = v
                steps[i] += 1
                let t = Double(steps[i])
                try m.multiplyInPlace(beta1)
                try m.addInPlace(g, alpha: 1 - beta1)
                try v.multiplyInPlace(beta2)
                try v.addcmulInPlace(g, g, value: 1 - beta2)
                let correction1 = 1 - Foundation.pow(beta1, t)
                let correction2 = 1 - Foundation.pow(beta2, t)
                let denominator = try v.sqrt().dividing(Foundation.sqrt(correction2)).adding(eps)
                try p.addcdivInPlace(m, denominator, value: -learningRate / correction1)
            }
        }
    }

    public func stateTensors() throws -> [String: Tensor] {
        var state: [String: Tensor] = [:]
        for i in parameters.indices {
            guard let m = exponentialAverage[i], let v = exponentialAverageSquared[i] else { continue }
            state["\(i).exp_avg"] = m
            state["\(i).exp_avg_sq"] = v
            state["\(i).step"] = try Tensor(scalar: Float(steps[i]))
        }
        return state
    }

    public func loadState(_ state: [String: Tensor]) throws {
        for (i, p) in parameters.enumerated() {
            guard let m = state["\(i).exp_avg"], let v = state["\(i).exp_avg_sq"], let s = state["\(i).step"] else {
                exponentialAverage[i] = nil
                exponentialAverageSquared[i] = nil
                steps[i] = 0
                continue
            }
            guard m.shape == p.shape, v.shape == p.shape else {
                throw OptimizerError.stateMismatch("moments \(i) have shape \(m.shape), parameter \(p.shape)")
            }
            exponentialAverage[i] = try m.to(device: p.device).clone()
            exponentialAverageSquared[i] = try v.to(device: p.device).clone()
            steps[i] = Int(try s.item())
        }
    }
}
