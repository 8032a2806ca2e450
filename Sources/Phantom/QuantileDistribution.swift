import Foundation

/// A continuous distribution given by a few quantiles, sampled by interpolating the inverse CDF (linearly,
/// or linearly in the logarithm for positive skewed quantities such as days from onset to imaging).
///
/// Table 1 of 001_… reports medians and IQRs only; this reproduces exactly those three quantiles, with
/// tails chosen by hand.
public struct QuantileDistribution: Sendable, Codable, Equatable {
    /// Cumulative probabilities, increasing from 0 to 1.
    public var probabilities: [Double]
    /// The values at those probabilities, non-decreasing.
    public var values: [Double]
    /// Interpolate in log(value) (all values must be > 0).
    public var logarithmic: Bool

    public init(probabilities: [Double], values: [Double], logarithmic: Bool = false) {
        self.probabilities = probabilities
        self.values = values
        self.logarithmic = logarithmic
    }

    /// Quantiles at 0, 0.25, 0.5, 0.75 and 1.
    public init(minimum: Double, q1: Double, median: Double, q3: Double, maximum: Double, logarithmic: Bool = false) {
        self.init(probabilities: [0, 0.25, 0.5, 0.75, 1], values: [minimum, q1, median, q3, maximum], logarithmic: logarithmic)
    }

    /// The value at cumulative probability `p` (clamped to [0, 1]).
    public func quantile(_ p: Double) -> Double {
        let p = min(max(p, 0), 1)
        var i = 1
        while i < probabilities.count - 1 && p > probabilities[i] { i += 1 }
        let p0 = probabilities[i - 1], p1 = probabilities[i]
        let t = p1 > p0 ? (p - p0) / (p1 - p0) : 0
        if logarithmic { return exp(log(values[i - 1]) + t * (log(values[i]) - log(values[i - 1]))) }
        return values[i - 1] + t * (values[i] - values[i - 1])
    }

    /// One draw.
    public func sample(_ random: inout PhantomRandom) -> Double { quantile(random.unit()) }
}
