import Foundation

/// A one-dimensional Gaussian kernel density estimate, as `scipy.stats.gaussian_kde(samples)`.
///
/// Each sample carries a normal kernel of standard deviation `bandwidth` = SD(samples, ddof 1) × factor;
/// the default factor is Scott's rule n^(−1/5), SciPy's default `bw_method='scott'`.
public struct GaussianKDE: Sendable, Equatable {
    /// The data the density is built on.
    public let samples: [Double]
    /// The kernels' standard deviation.
    public let bandwidth: Double

    /// Builds the estimate.
    ///
    /// - Parameters:
    ///   - samples: the data, at least 2 values that are not all equal.
    ///   - factor: the bandwidth as a multiple of the sample SD; nil for Scott's n^(−1/5).
    /// - Throws: `StatsError.tooFewObservations` for fewer than 2 values, `StatsError.nonFinite`,
    ///   `StatsError.outOfDomain` when all values are equal (SciPy raises a singular-matrix error) or the
    ///   factor is not positive.
    public init(_ samples: [Double], factor: Double? = nil) throws {
        try StatsError.check(samples, "samples", minimum: 2)
        let sd = try Descriptive.standardDeviation(samples, ddof: 1)
        guard sd > 0 else {
            throw StatsError.outOfDomain(argument: "samples", value: sd, expected: "a positive standard deviation")
        }
        let factor = factor ?? pow(Double(samples.count), -0.2)
        guard factor > 0 else { throw StatsError.outOfDomain(argument: "factor", value: factor, expected: "> 0") }
        self.samples = samples
        bandwidth = sd * factor
    }

    /// The estimated density at `x`.
    public func density(at x: Double) -> Double {
        let normalization = 1 / (bandwidth * (2 * Double.pi).squareRoot() * Double(samples.count))
        return normalization * CompensatedSum.of(samples.lazy.map { sample in
            let z = (x - sample) / bandwidth
            return exp(-0.5 * z * z)
        })
    }

    /// The estimated density at each of `points`.
    public func density(at points: [Double]) -> [Double] {
        points.map { density(at: $0) }
    }
}
