/// The comparison of two independent groups as the explainability study (000_…) does it: a Shapiro–Wilk
/// test on each group; if either rejects normality (p < α) the groups are compared with the two-sided
/// Mann–Whitney U test, otherwise with the two-sided Student t-test (equal variances).
public struct GroupComparison: Sendable, Equatable {
    /// Which test compared the groups.
    public enum Test: String, Sendable, Codable {
        /// `StudentTTest.independent`: both groups looked normal.
        case studentT
        /// `MannWhitneyU.test`: at least one group did not.
        case mannWhitneyU
    }

    /// Options of the comparison.
    public struct Configuration: Sendable, Equatable {
        /// A group is non-normal when its Shapiro–Wilk p < this; 0.05 (000_…).
        public var normalityAlpha: Double
        /// Options of the Mann–Whitney U test; SciPy's defaults.
        public var mannWhitneyU: MannWhitneyU.Configuration

        /// A configuration; the defaults are documented on each property.
        public init(normalityAlpha: Double = 0.05, mannWhitneyU: MannWhitneyU.Configuration = .init()) {
            self.normalityAlpha = normalityAlpha
            self.mannWhitneyU = mannWhitneyU
        }
    }

    /// Shapiro–Wilk on the first group.
    public let normalityA: ShapiroWilkResult
    /// Shapiro–Wilk on the second group.
    public let normalityB: ShapiroWilkResult
    /// The test that was used.
    public let test: Test
    /// t (Student) or U₁ (Mann–Whitney; the U of the first group).
    public let statistic: Double
    /// The two-sided p-value of the test used.
    public let pValue: Double

    /// Compares two groups with the study's rule.
    ///
    /// - Parameters:
    ///   - a: the first group (n ≥ 3, which Shapiro–Wilk needs).
    ///   - b: the second group (n ≥ 3).
    ///   - configuration: the normality threshold and the Mann–Whitney options.
    /// - Throws: `StatsError.tooFewObservations` when a group has fewer than 3 values, `StatsError.empty`,
    ///   `StatsError.nonFinite`.
    public static func compare(_ a: [Double], _ b: [Double], configuration: Configuration = Configuration()) throws
        -> GroupComparison
    {
        let normalityA = try ShapiroWilk.test(a, argument: "a")
        let normalityB = try ShapiroWilk.test(b, argument: "b")
        let alpha = configuration.normalityAlpha
        if normalityA.pValue < alpha || normalityB.pValue < alpha {
            let result = try MannWhitneyU.test(a, b, configuration: configuration.mannWhitneyU)
            return GroupComparison(normalityA: normalityA, normalityB: normalityB, test: .mannWhitneyU,
                                   statistic: result.statistic, pValue: result.pValue)
        }
        let result = try StudentTTest.independent(a, b)
        return GroupComparison(normalityA: normalityA, normalityB: normalityB, test: .studentT,
                               statistic: result.statistic, pValue: result.pValue)
    }
}
