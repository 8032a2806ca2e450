import Foundation

/// The result of a Wilcoxon signed-rank test (`scipy.stats.wilcoxon`).
public struct WilcoxonSignedRankResult: Sendable, Equatable {
    /// min(R⁺, R⁻), the smaller of the signed-rank sums (SciPy's two-sided `statistic`).
    public let statistic: Double
    /// The two-sided p-value.
    public let pValue: Double
    /// The method that produced the p-value (never `.auto`).
    public let method: WilcoxonSignedRank.Method
    /// −|z| of the normal approximation (after the continuity correction if on); nil unless `.asymptotic`.
    public let zStatistic: Double?
}

/// The two-sided Wilcoxon signed-rank test on paired samples, as `scipy.stats.wilcoxon(x, y)` with its
/// defaults: `zero_method='wilcox'` (zero differences are dropped before ranking), `correction=False`,
/// `method='auto'`.
///
/// SciPy's `auto` rule, reproduced: more than 50 pairs → normal approximation; otherwise, without ties
/// and zeros → exact distribution; with ties or zeros and at most 13 pairs → a permutation test over all
/// 2ⁿ sign flips (SciPy enumerates them, so its p-value is deterministic); else normal approximation with
/// tie correction. The permutation distribution is computed here by counting rank sums rather than by
/// listing flips; the result is the same.
public enum WilcoxonSignedRank {
    /// How the p-value is computed.
    public enum Method: String, Sendable, Codable {
        /// SciPy's rule (see the type's documentation).
        case auto
        /// The exact null distribution of R⁺ for n untied non-zero differences.
        case exact
        /// The normal approximation with tie correction.
        case asymptotic
        /// The exact distribution of R⁺ over all sign flips of the observed (possibly tied) ranks.
        /// SciPy samples 9999 random flips when 2ⁿ > 9999; this always enumerates them all.
        case permutation
    }

    /// Options of the test.
    public struct Configuration: Sendable, Equatable {
        /// `.auto` (SciPy's default).
        public var method: Method
        /// Move z by ½/σ towards 0 in the normal approximation; `false` (SciPy's `correction=False`).
        public var continuityCorrection: Bool

        /// A configuration; the defaults are SciPy's.
        public init(method: Method = .auto, continuityCorrection: Bool = false) {
            self.method = method
            self.continuityCorrection = continuityCorrection
        }
    }

    /// Tests whether the differences x − y are symmetric about zero (two-sided).
    ///
    /// - Parameters:
    ///   - x: the first measurement of each pair.
    ///   - y: the second measurement, in the same order.
    ///   - configuration: method and continuity correction.
    /// - Throws: `StatsError.empty`, `StatsError.nonFinite`, `StatsError.lengthMismatch`.
    public static func test(_ x: [Double], _ y: [Double], configuration: Configuration = Configuration()) throws
        -> WilcoxonSignedRankResult
    {
        try StatsError.check(x, "x")
        try StatsError.check(y, "y")
        try StatsError.checkPaired(x.count, "x", y.count, "y")
        return try test(differences: zip(x, y).map { $0 - $1 }, configuration: configuration)
    }

    /// The one-sample form: tests whether `differences` are symmetric about zero.
    ///
    /// - Returns: all differences zero gives statistic 0, p = 1 (as SciPy).
    /// - Throws: `StatsError.empty` (SciPy returns NaN), `StatsError.nonFinite`.
    public static func test(differences d: [Double], configuration: Configuration = Configuration()) throws
        -> WilcoxonSignedRankResult
    {
        try StatsError.check(d, "differences")
        let nonZero = d.filter { $0 != 0 }
        let zeroCount = d.count - nonZero.count
        let ranking = Ranking(nonZero.map(abs))
        var rPlus = 0.0, rMinus = 0.0
        for (value, rank) in zip(nonZero, ranking.ranks) {
            if value > 0 { rPlus += rank } else { rMinus += rank }
        }
        let count = Double(nonZero.count)
        let statistic = min(rPlus, rMinus)

        var method = configuration.method
        if method == .auto {
            if d.count > 50 {
                method = .asymptotic
            } else if !ranking.hasTies && zeroCount == 0 {
                method = .exact
            } else {
                method = d.count <= 13 ? .permutation : .asymptotic
            }
        }

        switch method {
        case .asymptotic, .auto:
            let mean = count * (count + 1) * 0.25
            let sd = ((count * (count + 1) * (2 * count + 1) - ranking.tieTerm / 2) / 24).squareRoot()
            var z = (rPlus - mean) / sd
            if configuration.continuityCorrection {
                z -= (z > 0 ? 1 : z < 0 ? -1 : 0) * 0.5 / sd
            }
            let p = 2 * Normal.sf(abs(z))
            return WilcoxonSignedRankResult(statistic: statistic, pValue: p, method: .asymptotic, zStatistic: -abs(z))
        case .exact:
            let p = exactPValue(rPlus, n: nonZero.count)
            return WilcoxonSignedRankResult(statistic: statistic, pValue: p, method: .exact, zStatistic: nil)
        case .permutation:
            let p = permutationPValue(rPlus, ranks: ranking.ranks)
            return WilcoxonSignedRankResult(statistic: statistic, pValue: p, method: .permutation, zStatistic: nil)
        }
    }

    /// SciPy's exact two-sided p: 2·min(P(T ≥ ⌊R⁺⌋), P(T ≤ ⌈R⁺⌉)), clipped to 1, with its switch to
    /// complements above the mean.
    static func exactPValue(_ rPlus: Double, n: Int) -> Double {
        if n == 0 { return 1 }
        let maximum = n * (n + 1) / 2
        // counts[s] = number of subsets of {1, …, n} whose sum is s.
        var counts = [Double](repeating: 0, count: maximum + 1)
        counts[0] = 1
        for rank in 1...n {
            for s in stride(from: maximum, through: rank, by: -1) { counts[s] += counts[s - rank] }
        }
        let total = pow(2.0, Double(n))
        let pmf = counts.map { $0 / total }
        let mean = Double(n * (n + 1)) / 4
        func lowerSum(_ k: Int) -> Double { k < 0 ? 0 : CompensatedSum.of(pmf[0...min(k, maximum)]) }
        func upperSum(_ k: Int) -> Double { k > maximum ? 0 : CompensatedSum.of(pmf[max(k, 0)...]) }
        // Each tail is summed on the side of the mean where it is the smaller sum, as SciPy does.
        func cdf(_ k: Int) -> Double { Double(k) <= mean ? lowerSum(k) : 1 - upperSum(k + 1) }
        func sf(_ k: Int) -> Double { Double(k) <= mean ? upperSum(k) : 1 - lowerSum(k - 1) }
        let lower = Int(rPlus.rounded(.up))
        let upper = Int(rPlus.rounded(.down))
        return min(1, max(0, 2 * min(sf(upper), cdf(lower))))
    }

    /// The two-sided p-value of R⁺ over all 2ⁿ equally likely sign assignments of `ranks`:
    /// 2·min(P(T ≤ R⁺), P(T ≥ R⁺)), clipped to 1.
    static func permutationPValue(_ rPlus: Double, ranks: [Double]) -> Double {
        if ranks.isEmpty { return 1 }
        // Mid-ranks are multiples of ½: count sums of doubled ranks exactly.
        let doubled = ranks.map { Int(($0 * 2).rounded()) }
        let maximum = doubled.reduce(0, +)
        var counts = [Double](repeating: 0, count: maximum + 1)
        counts[0] = 1
        var reach = 0
        for rank in doubled {
            reach += rank
            for s in stride(from: reach, through: rank, by: -1) { counts[s] += counts[s - rank] }
        }
        let observed = Int((rPlus * 2).rounded())
        let total = CompensatedSum.of(counts)
        let atMost = CompensatedSum.of(counts[0...min(observed, maximum)])
        let atLeast = CompensatedSum.of(counts[min(observed, maximum + 1)...])
        return min(1, 2 * min(atMost, atLeast) / total)
    }
}
