/// Counts of a binary classification against the truth, and the rates derived from them.
///
/// Rates whose denominator is zero are NaN (scikit-learn's `zero_division` default would report 0 with
/// a warning instead).
public struct ConfusionMatrix: Sendable, Equatable, Codable {
    /// Positive cases called positive.
    public let truePositives: Int
    /// Negative cases called positive.
    public let falsePositives: Int
    /// Negative cases called negative.
    public let trueNegatives: Int
    /// Positive cases called negative.
    public let falseNegatives: Int

    /// A matrix from its four counts.
    public init(truePositives: Int, falsePositives: Int, trueNegatives: Int, falseNegatives: Int) {
        self.truePositives = truePositives
        self.falsePositives = falsePositives
        self.trueNegatives = trueNegatives
        self.falseNegatives = falseNegatives
    }

    /// Counts predictions against labels.
    ///
    /// - Throws: `StatsError.lengthMismatch`.
    public init(labels: [Bool], predictions: [Bool]) throws {
        try StatsError.checkPaired(labels.count, "labels", predictions.count, "predictions")
        var tp = 0, fp = 0, tn = 0, fn = 0
        for (truth, call) in zip(labels, predictions) {
            switch (truth, call) {
            case (true, true): tp += 1
            case (false, true): fp += 1
            case (false, false): tn += 1
            case (true, false): fn += 1
            }
        }
        self.init(truePositives: tp, falsePositives: fp, trueNegatives: tn, falseNegatives: fn)
    }

    /// Calls a case positive when its score is ≥ `threshold` (the convention of `ROCCurve`'s thresholds).
    ///
    /// - Throws: `StatsError.nonFinite` for a NaN score, `StatsError.lengthMismatch`.
    public init(labels: [Bool], scores: [Double], threshold: Double) throws {
        if let index = scores.firstIndex(where: \.isNaN) { throw StatsError.nonFinite(argument: "scores", index: index) }
        try self.init(labels: labels, predictions: scores.map { $0 >= threshold })
    }

    /// All cases.
    public var total: Int { truePositives + falsePositives + trueNegatives + falseNegatives }
    /// (TP + TN) / total.
    public var accuracy: Double { ratio(truePositives + trueNegatives, total) }
    /// TP / (TP + FN), the true-positive rate (recall).
    public var sensitivity: Double { ratio(truePositives, truePositives + falseNegatives) }
    /// TN / (TN + FP), the true-negative rate.
    public var specificity: Double { ratio(trueNegatives, trueNegatives + falsePositives) }
    /// TP / (TP + FP), the precision.
    public var positivePredictiveValue: Double { ratio(truePositives, truePositives + falsePositives) }
    /// TN / (TN + FN).
    public var negativePredictiveValue: Double { ratio(trueNegatives, trueNegatives + falseNegatives) }

    private func ratio(_ numerator: Int, _ denominator: Int) -> Double {
        denominator == 0 ? .nan : Double(numerator) / Double(denominator)
    }
}
