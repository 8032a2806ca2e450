/// A decision threshold on a score and the classification it produces.
public struct OperatingPoint: Sendable, Equatable {
    /// How the threshold is chosen among the ROC curve's thresholds.
    public enum Criterion: String, Sendable, Codable {
        /// Maximise sensitivity × specificity (the rule of 001_…).
        case sensitivityTimesSpecificity
        /// Maximise Youden's J = sensitivity + specificity − 1.
        case youdenJ
    }

    /// Cases with score ≥ threshold are called positive.
    public let threshold: Double
    /// The classification at this threshold.
    public let confusion: ConfusionMatrix

    /// The operating point at a given threshold.
    ///
    /// - Throws: as `ConfusionMatrix.init(labels:scores:threshold:)`.
    public init(labels: [Bool], scores: [Double], threshold: Double) throws {
        self.threshold = threshold
        confusion = try ConfusionMatrix(labels: labels, scores: scores, threshold: threshold)
    }

    /// The threshold that maximises `criterion`.
    ///
    /// Every distinct score is a candidate (the full curve, `dropIntermediate: false`): sensitivity ×
    /// specificity is not linear along a segment of the curve, so a point that scikit-learn's default
    /// curve drops can be the best one. The `+infinity` threshold (nothing positive) is not a candidate.
    /// Among equal values the highest threshold wins (NumPy's `argmax` over scikit-learn's order).
    /// Rates are computed as scikit-learn does, tpr · (1 − fpr), so that ties break identically.
    ///
    /// - Parameters:
    ///   - labels: `true` for a positive case.
    ///   - scores: higher means more likely positive.
    ///   - criterion: `.sensitivityTimesSpecificity` (001_…).
    /// - Throws: as `ROCCurve.init`, and `StatsError.singleClass` when one class is missing.
    public static func optimal(labels: [Bool], scores: [Double],
                               criterion: Criterion = .sensitivityTimesSpecificity) throws -> OperatingPoint
    {
        let curve = try ROCCurve(labels: labels, scores: scores, dropIntermediate: false)
        guard curve.positives > 0, curve.negatives > 0 else { throw StatsError.singleClass(argument: "labels") }
        var best = 1
        var bestValue = -Double.infinity
        for i in 1..<curve.thresholds.count {
            let tpr = curve.truePositiveRates[i], fpr = curve.falsePositiveRates[i]
            let value = switch criterion {
            case .sensitivityTimesSpecificity: tpr * (1 - fpr)
            case .youdenJ: tpr - fpr
            }
            if value > bestValue {
                bestValue = value
                best = i
            }
        }
        return try OperatingPoint(labels: labels, scores: scores, threshold: curve.thresholds[best])
    }
}
