/// The comparison of two paired measurements as the explainability study (000_…) compares the ICH and PHE
/// importance of the same cases: a Shapiro–Wilk test on the differences a − b; if it rejects normality
/// (p < α) the pairs are compared with the two-sided Wilcoxon signed-rank test, otherwise with the
/// two-sided paired t-test.
public struct PairedComparison: Sendable, Equatable, Codable {
    /// Which test compared the pairs.
    public enum Test: String, Sendable, Codable {
        /// `StudentTTest.paired` (`scipy.stats.ttest_rel`): the differences looked normal.
        case pairedT
        /// `WilcoxonSignedRank.test` (`scipy.stats.wilcoxon`, SciPy's defaults): they did not.
        case wilcoxon
    }

    /// Options of the comparison.
    public struct Configuration: Sendable, Equatable {
        /// The differences are non-normal when their Shapiro–Wilk p < this; 0.05 (000_…).
        public var normalityAlpha: Double
        /// Options of the Wilcoxon test; SciPy's defaults.
        public var wilcoxon: WilcoxonSignedRank.Configuration

        /// A configuration; the defaults are documented on each property.
        public init(normalityAlpha: Double = 0.05, wilcoxon: WilcoxonSignedRank.Configuration = .init()) {
            self.normalityAlpha = normalityAlpha
            self.wilcoxon = wilcoxon
        }
    }

    /// Number of pairs.
    public let count: Int
    /// Shapiro–Wilk W of the differences.
    public let normalityStatistic: Double
    /// Shapiro–Wilk p of the differences.
    public let normalityPValue: Double
    /// The test that was used.
    public let test: Test
    /// t (paired t-test) or min(R⁺, R⁻) (Wilcoxon).
    public let statistic: Double
    /// The two-sided p-value of the test used.
    public let pValue: Double

    /// Compares paired measurements with the study's rule.
    ///
    /// - Parameters:
    ///   - a: the first measurement of each pair (e.g. ICH importance), n ≥ 3.
    ///   - b: the second measurement, in the same order (e.g. PHE importance).
    ///   - configuration: the normality threshold and the Wilcoxon options.
    /// - Throws: `StatsError.lengthMismatch`, `StatsError.tooFewObservations` for fewer than 3 pairs,
    ///   `StatsError.empty`, `StatsError.nonFinite`.
    public static func compare(_ a: [Double], _ b: [Double], configuration: Configuration = Configuration()) throws
        -> PairedComparison
    {
        try StatsError.checkPaired(a.count, "a", b.count, "b")
        try StatsError.check(a, "a", minimum: 3)
        try StatsError.check(b, "b", minimum: 3)
        let differences = zip(a, b).map { $0 - $1 }
        let normality = try ShapiroWilk.test(differences, argument: "a − b")
        if normality.pValue < configuration.normalityAlpha {
            let result = try WilcoxonSignedRank.test(a, b, configuration: configuration.wilcoxon)
            return PairedComparison(count: a.count, normalityStatistic: normality.statistic, normalityPValue: normality.pValue,
                                    test: .wilcoxon, statistic: result.statistic, pValue: result.pValue)
        }
        let result = try StudentTTest.paired(a, b)
        return PairedComparison(count: a.count, normalityStatistic: normality.statistic, normalityPValue: normality.pValue,
                                test: .pairedT, statistic: result.statistic, pValue: result.pValue)
    }
}
