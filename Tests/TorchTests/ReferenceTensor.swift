import Foundation
import TestSupport
import Testing
import Torch

/// A tensor from fixture data (stored as float64), converted to `dtype`.
func reference(_ data: TensorData, dtype: DType = .float64) throws -> Tensor {
    let t = try Tensor(data.values, shape: data.shape)
    return dtype == .float64 ? t : try t.to(dtype)
}

extension Tensor {
    /// The values as Double, row-major.
    var doubles: [Double] { (try? scalars(as: Double.self)) ?? [] }
}

/// Compares a tensor with fixture data: same shape, values within tolerance.
func expectMatches(
    _ actual: Tensor, _ expected: TensorData, absolute: Double = 1e-10, relative: Double = 1e-9,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.shape == expected.shape, "shape \(actual.shape) ≠ \(expected.shape)", sourceLocation: sourceLocation)
    expectClose(actual.doubles, expected.values, absolute: absolute, relative: relative, sourceLocation: sourceLocation)
}

/// Central finite-difference check of autograd, in float64.
///
/// The function's output is reduced with fixed pseudo-random weights (so every output element contributes),
/// and the analytic gradient with respect to each input is compared with `(f(x + h) − f(x − h)) / 2h` for every
/// element of that input.
func expectGradientsMatchFiniteDifferences(
    _ inputs: [Tensor], step h: Double = 1e-6, absolute: Double = 1e-6, relative: Double = 1e-5,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ f: ([Tensor]) throws -> Tensor
) throws {
    let leaves = try inputs.map { try $0.detached().clone().requiringGrad(true) }
    let output = try f(leaves)
    let weights = try Tensor((0..<output.count).map { Double(($0 * 7919) % 13) / 13 - 0.4 }, shape: output.shape)
    let scalar = try output.multiplying(weights).sum()
    let analytic = try gradients(of: [scalar], withRespectTo: leaves, allowUnused: true)
    func evaluate(_ xs: [Tensor]) throws -> Double {
        try GradMode.withoutGrad { try f(xs).multiplying(weights).sum().item() }
    }
    for (k, input) in inputs.enumerated() {
        let base = try input.scalars(as: Double.self)
        var numeric = [Double](repeating: 0, count: base.count)
        for i in base.indices {
            var plus = base, minus = base
            plus[i] += h
            minus[i] -= h
            var xs = inputs
            xs[k] = try Tensor(plus, shape: input.shape)
            let fp = try evaluate(xs)
            xs[k] = try Tensor(minus, shape: input.shape)
            let fm = try evaluate(xs)
            numeric[i] = (fp - fm) / (2 * h)
        }
        let got = try analytic[k]?.scalars(as: Double.self) ?? [Double](repeating: 0, count: base.count)
        expectClose(got, numeric, absolute: absolute, relative: relative, "input \(k)", sourceLocation: sourceLocation)
    }
}
