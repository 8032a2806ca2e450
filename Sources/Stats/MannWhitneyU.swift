import Foundation

/// The result of a Mann–Whitney U test (`scipy.stats.mannwhitneyu`).
public struct MannWhitneyUResult: Sendable, Equatable {
    /// U₁, the U statistic of the first sample: R₁ − n₁(n₁ + 1)/2 (SciPy's `statistic`).
    public let statistic: Double
    /// The two-sided p-value.
    public let pValue: Double
    /// The method that produced the p-value (`.exact` or `.asymptotic`, never `.auto`).
    public let method: MannWhitneyU.Method
}

/// The two-sided Mann–Whitney U (Wilcoxon rank-sum) test, as `scipy.stats.mannwhitneyu(x, y)`.
///
/// With `method = .auto` (SciPy's default) the exact null distribution is used when at least one sample
/// has 8 or fewer values and there are no ties in the pooled sample; otherwise the normal approximation
/// with tie correction (and, by default, continuity correction) is used. The p-value is
/// 2·P(U ≥ max(U₁, U₂)), clipped to 1.
public enum MannWhitneyU {
    /// How the p-value is computed.
    public enum Method: String, Sendable, Codable {
        /// SciPy's rule: exact if min(n₁, n₂) ≤ 8 and no ties, otherwise asymptotic.
        case auto
        /// The exact permutation distribution of U (ignores ties; SciPy does the same when asked).
        case exact
        /// The normal approximation with tie correction.
        case asymptotic
    }

    /// Options of the test.
    public struct Configuration: Sendable, Equatable {
        /// `.auto` (SciPy's default).
        public var method: Method
        /// Subtract ½ from |U − mean| in the normal approximation; `true` (SciPy's `use_continuity=True`).
        public var continuityCorrection: Bool

        /// A configuration; the defaults are SciPy's.
        public init(method: Method = .auto, continuityCorrection: Bool = true) {
            self.method = method
            self.continuityCorrection = continuityCorrection
        }
    }

    /// Tests whether `x` and `y` come from the same distribution (two-sided).
    ///
    /// - Parameters:
    ///   - x: the first sample.
    ///   - y: the second sample.
    ///   - configuration: method and continuity correction.
    /// - Returns: U₁, the p-value and the method used. All values tied gives U₁ = n₁n₂/2 and p = 1 (NaN
    ///   without continuity correction), as SciPy.
    /// - Throws: `StatsError.empty` (SciPy raises ValueError), `StatsError.nonFinite` (NaN: SciPy raises too).
    public static func test(_ x: [Double], _ y: [Double], configuration: Configuration = Configuration()) throws
        -> MannWhitneyUResult
    {
        try StatsError.check(x, "x")
        try StatsError.check(y, "y")
        let n1 = x.count, n2 = y.count
        let ranking = Ranking(x + y)
        let r1 = CompensatedSum.of(ranking.ranks[0..<n1])
        let u1 = r1 - Double(n1 * (n1 + 1)) / 2
        let u2 = Double(n1) * Double(n2) - u1
        let u = max(u1, u2)

        var method = configuration.method
        if method == .auto {
            method = (n1 > 8 && n2 > 8) || ranking.hasTies ? .asymptotic : .exact
        }
        let p: Double
        switch method {
        case .exact, .auto:
            p = 2 * exactUpperTail(u, n1, n2)
        case .asymptotic:
            let n = Double(n1 + n2)
            let mean = Double(n1) * Double(n2) / 2
            let sd = (Double(n1) * Double(n2) / 12 * ((n + 1) - ranking.tieTerm / (n * (n - 1)))).squareRoot()
            var numerator = u - mean
            if configuration.continuityCorrection { numerator -= 0.5 }
            // Every value tied makes sd = 0: z = −∞ and p = 1 with the continuity correction, z = 0/0 and
            // p = NaN without it, as in SciPy.
            p = 2 * Normal.sf(numerator / sd)
        }
        return MannWhitneyUResult(statistic: u1, pValue: p.isNaN ? .nan : min(max(p, 0), 1), method: method)
    }

    /// P(U ≥ u) under the null for sizes n₁, n₂ when u ≥ n₁n₂/2: by symmetry P(U ≤ n₁n₂ − u).
    /// A tied U ending in .5 (exact method requested despite ties) is truncated, as SciPy's cast to int64.
    static func exactUpperTail(_ u: Double, _ n1: Int, _ n2: Int) -> Double {
        let total = n1 * n2
        let k = total - Int(u.rounded(.towardZero))
        guard k >= 0 else { return 0 }
        let counts = arrangementCounts(smaller: min(n1, n2), larger: max(n1, n2), upTo: k)
        let binomial = BinomialCoefficient.value(n1 + n2, min(n1, n2))
        return CompensatedSum.of(counts) / binomial
    }

    /// The number of orderings of m values of one sample among n of the other with U = 0, 1, …, `upTo`.
    ///
    /// Counts partitions of U into at most m parts, each ≤ n, by the positive recurrence
    /// c(u; k, j) = c(u; k, j − 1) + c(u − j; k − 1, j) — only additions, so no cancellation even when the
    /// counts exceed 2⁵³.
    static func arrangementCounts(smaller m: Int, larger n: Int, upTo limit: Int) -> [Double] {
        // rows[k][u] = number of partitions of u into at most k parts, each ≤ j (j grows in the outer loop).
        var rows = [[Double]](repeating: [Double](repeating: 0, count: limit + 1), count: m + 1)
        for k in 0...m { rows[k][0] = 1 }
        if limit == 0 { return rows[m] }
        for j in 1...min(n, limit) {
            // Partitions with a part equal to j: c(u − j; k − 1, j). Row k − 1 must already hold j, so k ascends.
            for k in 1...m {
                for u in j...limit { rows[k][u] += rows[k - 1][u - j] }
            }
        }
        return rows[m]
    }
}
