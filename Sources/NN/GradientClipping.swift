import Foundation

/// Scales gradients so that their global L2 norm is at most `maxNorm`, as `torch.nn.utils.clip_grad_norm_`
/// (scale `maxNorm / (norm + 1e-6)` applied only when below 1).
///
/// - Returns: the total norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Double) throws -> Double {
    try GradMode.withoutGrad {
        let grads = parameters.compactMap(\.grad)
        guard !grads.isEmpty else { return 0 }
        var squared = 0.0
        for g in grads {
            let n = try g.norm().item()
            squared += n * n
        }
        let total = squared.squareRoot()
        let coefficient = maxNorm / (total + 1e-6)
        if coefficient < 1 {
            for g in grads { try g.multiplyInPlace(coefficient) }
        }
        return total
    }
}
