import Foundation

/// Descriptive statistics of one sample, matching NumPy.
///
/// Every function throws `StatsError.empty` for an empty sample and `StatsError.nonFinite` for a NaN or
/// infinite value (NumPy would return NaN or propagate it). Sums are compensated (Neumaier), so results
/// agree with NumPy's pairwise summation to the last bit or two.
public enum Descriptive {
    /// The arithmetic mean (`np.mean`).
    ///
    /// - Throws: `StatsError.empty`, `StatsError.nonFinite`.
    public static func mean(_ x: [Double]) throws -> Double {
        try StatsError.check(x, "x")
        return CompensatedSum.of(x) / Double(x.count)
    }

    /// The variance with `ddof` delta degrees of freedom (`np.var(x, ddof=ddof)`).
    ///
    /// - Parameters:
    ///   - x: the sample.
    ///   - ddof: 0 (NumPy's default) for the population variance, 1 for the unbiased sample variance.
    /// - Returns: Σ(x − mean)² / (n − ddof), or NaN when n − ddof ≤ 0 (as NumPy).
    /// - Throws: `StatsError.empty`, `StatsError.nonFinite`, `StatsError.outOfDomain` for a negative `ddof`.
    public static func variance(_ x: [Double], ddof: Int = 0) throws -> Double {
        let center = try mean(x)
        guard ddof >= 0 else { throw StatsError.outOfDomain(argument: "ddof", value: Double(ddof), expected: "≥ 0") }
        let divisor = x.count - ddof
        guard divisor > 0 else { return .nan }
        return CompensatedSum.of(x.lazy.map { ($0 - center) * ($0 - center) }) / Double(divisor)
    }

    /// The standard deviation with `ddof` delta degrees of freedom (`np.std(x, ddof=ddof)`).
    ///
    /// - Parameters:
    ///   - x: the sample.
    ///   - ddof: 0 (NumPy's default); pass 1 for the sample SD that tables usually report ("mean ± SD").
    /// - Returns: √variance, NaN when n − ddof ≤ 0.
    /// - Throws: as `variance`.
    public static func standardDeviation(_ x: [Double], ddof: Int = 0) throws -> Double {
        try variance(x, ddof: ddof).squareRoot()
    }

    /// The median (`np.median`): the middle value, or the mean of the two middle values.
    ///
    /// - Throws: `StatsError.empty`, `StatsError.nonFinite`.
    public static func median(_ x: [Double]) throws -> Double {
        try StatsError.check(x, "x")
        let sorted = x.sorted()
        let middle = sorted.count / 2
        if sorted.count % 2 == 1 { return sorted[middle] }
        return (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The `p`-quantile by NumPy's default `method='linear'` (Hyndman & Fan type 7).
    ///
    /// - Parameters:
    ///   - x: the sample.
    ///   - p: the probability in [0, 1].
    /// - Throws: `StatsError.empty`, `StatsError.nonFinite`, `StatsError.outOfDomain` for p outside [0, 1].
    public static func quantile(_ x: [Double], _ p: Double) throws -> Double {
        try quantiles(x, [p])[0]
    }

    /// Several quantiles of one sample (sorted once); see `quantile(_:_:)`.
    public static func quantiles(_ x: [Double], _ probabilities: [Double]) throws -> [Double] {
        try StatsError.check(x, "x")
        for p in probabilities where !(p >= 0 && p <= 1) {
            throw StatsError.outOfDomain(argument: "p", value: p, expected: "a probability in [0, 1]")
        }
        return quantilesOfSorted(x.sorted(), probabilities)
    }

    /// The interquartile range Q3 − Q1 (type-7 quartiles).
    ///
    /// - Throws: `StatsError.empty`, `StatsError.nonFinite`.
    public static func interquartileRange(_ x: [Double]) throws -> Double {
        let q = try quantiles(x, [0.25, 0.75])
        return q[1] - q[0]
    }

    /// Type-7 quantiles of an already sorted, non-empty sample, with NumPy's interpolation
    /// (`_lerp`: from the lower neighbour below γ = ½, from the upper one above, so that the result is monotone).
    static func quantilesOfSorted(_ sorted: [Double], _ probabilities: [Double]) -> [Double] {
        let n = sorted.count
        return probabilities.map { p in
            let virtualIndex = Double(n - 1) * p
            if virtualIndex >= Double(n - 1) { return sorted[n - 1] }
            let lower = Int(virtualIndex.rounded(.down))
            let gamma = virtualIndex - Double(lower)
            let a = sorted[lower]
            let b = sorted[lower + 1]
            let difference = b - a
            return gamma >= 0.5 ? b - difference * (1 - gamma) : a + difference * gamma
        }
    }
}
