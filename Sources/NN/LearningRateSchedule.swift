import Foundation

/// Learning rate as a function of progress, as the PyTorch schedulers compute it (closed forms).
public enum LearningRateSchedule: Sendable, Codable, Equatable {
    /// Constant.
    case constant
    /// nnU-Net's `PolyLRScheduler`: `lr₀ · (1 − t/T)^exponent` (nnU-Net v2 default exponent 0.9).
    case poly(exponent: Double)
    /// `CosineAnnealingLR`: `η_min + (lr₀ − η_min)·(1 + cos(π t/T))/2`.
    case cosine(minimum: Double)
    /// `StepLR`: `lr₀ · γ^⌊t/step⌋`.
    case step(every: Int, gamma: Double)

    /// The learning rate at step (or epoch) `t` of `total`.
    public func learningRate(initial: Double, step t: Int, total: Int) -> Double {
        let T = Double(max(total, 1))
        let progress = Double(min(max(t, 0), max(total, 1)))
        switch self {
        case .constant:
            return initial
        case .poly(let exponent):
            return initial * Foundation.pow(1 - progress / T, exponent)
        case .cosine(let minimum):
            return minimum + (initial - minimum) * (1 + Foundation.cos(Double.pi * progress / T)) / 2
        case .step(let every, let gamma):
            return initial * Foundation.pow(gamma, Double(max(t, 0) / max(every, 1)))
        }
    }
}
