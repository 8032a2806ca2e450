import Foundation

/// The result of a t-test (`scipy.stats.ttest_ind` / `ttest_rel`).
public struct TTestResult: Sendable, Equatable {
    /// t; ±∞ when both variances are zero and the means differ, NaN when t is 0/0.
    public let statistic: Double
    /// The two-sided p-value 2·P(T > |t|); NaN when t or the degrees of freedom are undefined.
    public let pValue: Double
    /// n₁ + n₂ − 2 (independent) or n − 1 (paired).
    public let degreesOfFreedom: Double
}

/// Student's t-tests, two-sided.
///
/// Empty samples throw `StatsError.empty` (SciPy warns and returns NaN). Samples that are too small to
/// give a variance (no degrees of freedom left) return NaN statistic and p-value, exactly as SciPy does.
public enum StudentTTest {
    /// The two-sample t-test with pooled (equal) variances: `scipy.stats.ttest_ind(a, b)`.
    ///
    /// - Parameters:
    ///   - a: the first group.
    ///   - b: the second group.
    /// - Returns: t = (mean(a) − mean(b)) / √(s²_pooled (1/n₁ + 1/n₂)), df = n₁ + n₂ − 2, two-sided p.
    /// - Throws: `StatsError.empty`, `StatsError.nonFinite`.
    public static func independent(_ a: [Double], _ b: [Double]) throws -> TTestResult {
        try StatsError.check(a, "a")
        try StatsError.check(b, "b")
        let n1 = Double(a.count), n2 = Double(b.count)
        let df = n1 + n2 - 2
        guard df > 0 else { return TTestResult(statistic: .nan, pValue: .nan, degreesOfFreedom: df) }
        // A group of one contributes no variance (SciPy's ddof=1 gives NaN there, weighted by n − 1 = 0).
        let v1 = a.count > 1 ? try Descriptive.variance(a, ddof: 1) : 0
        let v2 = b.count > 1 ? try Descriptive.variance(b, ddof: 1) : 0
        let pooled = ((n1 - 1) * v1 + (n2 - 1) * v2) / df
        let standardError = (pooled * (1 / n1 + 1 / n2)).squareRoot()
        let difference = try Descriptive.mean(a) - Descriptive.mean(b)
        let t = difference / standardError
        return TTestResult(statistic: t, pValue: twoSidedPValue(t, df), degreesOfFreedom: df)
    }

    /// The paired t-test on the differences a − b: `scipy.stats.ttest_rel(a, b)`.
    ///
    /// - Parameters:
    ///   - a: the first measurement of each pair.
    ///   - b: the second measurement, in the same order.
    /// - Returns: t = mean(d) / (sd(d)/√n), df = n − 1, two-sided p.
    /// - Throws: `StatsError.empty`, `StatsError.nonFinite`, `StatsError.lengthMismatch`.
    public static func paired(_ a: [Double], _ b: [Double]) throws -> TTestResult {
        try StatsError.check(a, "a")
        try StatsError.check(b, "b")
        try StatsError.checkPaired(a.count, "a", b.count, "b")
        let d = zip(a, b).map { $0 - $1 }
        let n = Double(d.count)
        let df = n - 1
        guard df > 0 else { return TTestResult(statistic: .nan, pValue: .nan, degreesOfFreedom: df) }
        let standardError = (try Descriptive.variance(d, ddof: 1) / n).squareRoot()
        let t = try Descriptive.mean(d) / standardError
        return TTestResult(statistic: t, pValue: twoSidedPValue(t, df), degreesOfFreedom: df)
    }

    /// 2·P(T > |t|), clamped to [0, 1]; ±∞ gives 0, NaN gives NaN.
    static func twoSidedPValue(_ t: Double, _ df: Double) -> Double {
        if t.isNaN { return .nan }
        return min(1, 2 * StudentT(degreesOfFreedom: df).sf(abs(t)))
    }
}
