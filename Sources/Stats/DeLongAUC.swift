import Foundation

/// The ROC AUC with DeLong's variance and a normal confidence interval.
///
/// Variance by DeLong, DeLong & Clarke-Pearson (1988), computed with the fast midrank algorithm of
/// Sun & Xu (2014): V₁₀ᵢ = (rank of positive i among all − its rank among positives)/n,
/// V₀₁ⱼ = 1 − (rank of negative j among all − its rank among negatives)/m, and
/// Var(AUC) = S₁₀/m + S₀₁/n with S the sample variances (ddof 1) of V₁₀ and V₀₁. Ties count ½.
/// The interval is AUC ± z₁₋α/₂ · √Var, clipped to [0, 1] (as pROC's `ci.auc(method = "delong")`).
public struct DeLongAUC: Sendable, Equatable {
    /// The area under the ROC curve (equal to `ROCCurve.areaUnderCurve`).
    public let auc: Double
    /// DeLong's variance of the AUC.
    public let variance: Double
    /// The confidence level of the interval, e.g. 0.95.
    public let confidenceLevel: Double
    /// The lower bound of the interval, ≥ 0.
    public let lower: Double
    /// The upper bound of the interval, ≤ 1.
    public let upper: Double

    /// √variance.
    public var standardError: Double { variance.squareRoot() }

    /// Computes the AUC, its variance and confidence interval.
    ///
    /// - Parameters:
    ///   - labels: `true` for a positive case.
    ///   - scores: higher means more likely positive.
    ///   - confidenceLevel: in (0, 1); 0.95.
    /// - Throws: `StatsError.empty`, `StatsError.nonFinite`, `StatsError.lengthMismatch`,
    ///   `StatsError.tooFewObservations` with fewer than 2 positive or 2 negative cases (the variance needs
    ///   both), `StatsError.outOfDomain` for a confidence level outside (0, 1).
    public init(labels: [Bool], scores: [Double], confidenceLevel: Double = 0.95) throws {
        try StatsError.check(scores, "scores")
        try StatsError.checkPaired(labels.count, "labels", scores.count, "scores")
        guard confidenceLevel > 0 && confidenceLevel < 1 else {
            throw StatsError.outOfDomain(argument: "confidenceLevel", value: confidenceLevel, expected: "in (0, 1)")
        }
        let positives = zip(labels, scores).filter { $0.0 }.map(\.1)
        let negatives = zip(labels, scores).filter { !$0.0 }.map(\.1)
        let m = positives.count, n = negatives.count
        guard m >= 2 else { throw StatsError.tooFewObservations(argument: "positive labels", count: m, minimum: 2) }
        guard n >= 2 else { throw StatsError.tooFewObservations(argument: "negative labels", count: n, minimum: 2) }

        let pooled = Ranking(positives + negatives).ranks
        let withinPositives = Ranking(positives).ranks
        let withinNegatives = Ranking(negatives).ranks
        let v10 = (0..<m).map { (pooled[$0] - withinPositives[$0]) / Double(n) }
        let v01 = (0..<n).map { 1 - (pooled[m + $0] - withinNegatives[$0]) / Double(m) }
        let auc = CompensatedSum.of(pooled[0..<m]) / (Double(m) * Double(n)) - Double(m + 1) / (2 * Double(n))
        let s10 = CompensatedSum.of(v10.lazy.map { ($0 - auc) * ($0 - auc) }) / Double(m - 1)
        let s01 = CompensatedSum.of(v01.lazy.map { ($0 - auc) * ($0 - auc) }) / Double(n - 1)
        let variance = s10 / Double(m) + s01 / Double(n)
        let z = Normal.ppf(1 - (1 - confidenceLevel) / 2)
        self.auc = auc
        self.variance = variance
        self.confidenceLevel = confidenceLevel
        lower = max(0, auc - z * variance.squareRoot())
        upper = min(1, auc + z * variance.squareRoot())
    }
}
