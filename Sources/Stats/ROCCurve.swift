import Foundation

/// A receiver operating characteristic curve, equal to scikit-learn's `roc_curve(y_true, y_score)`.
///
/// Points are ordered by decreasing threshold. The first point is (0, 0) with threshold `+infinity`
/// (scikit-learn ≥ 1.3 uses `np.inf` there: no case is called positive); every other threshold is a
/// distinct score, and a case is called positive when its score is ≥ the threshold. With
/// `dropIntermediate` (scikit-learn's default) points that lie on a straight segment between their
/// neighbours are removed; they do not change the area.
public struct ROCCurve: Sendable, Equatable {
    /// False-positive rates (1 − specificity), non-decreasing from 0 to 1.
    public let falsePositiveRates: [Double]
    /// True-positive rates (sensitivity), non-decreasing from 0 to 1.
    public let truePositiveRates: [Double]
    /// Decreasing thresholds; `thresholds[0]` is `+infinity`.
    public let thresholds: [Double]
    /// Number of positive cases (`labels[i] == true`).
    public let positives: Int
    /// Number of negative cases.
    public let negatives: Int

    /// Computes the curve.
    ///
    /// - Parameters:
    ///   - labels: `true` for a positive case (e.g. neoplastic).
    ///   - scores: higher means more likely positive (a probability, a logit, a rating).
    ///   - dropIntermediate: remove collinear points; `true` (scikit-learn's default).
    /// - Returns: the curve. With no negative (positive) case the false- (true-) positive rates are all NaN,
    ///   as scikit-learn returns them (with a warning).
    /// - Throws: `StatsError.empty`, `StatsError.nonFinite` (scikit-learn rejects NaN and ∞ too),
    ///   `StatsError.lengthMismatch`.
    public init(labels: [Bool], scores: [Double], dropIntermediate: Bool = true) throws {
        try StatsError.check(scores, "scores")
        try StatsError.checkPaired(labels.count, "labels", scores.count, "scores")
        let counts = ROCCurve.cumulativeCounts(labels: labels, scores: scores)
        var fps = counts.falsePositives
        var tps = counts.truePositives
        var thresholds = counts.thresholds
        if dropIntermediate && fps.count > 2 {
            var keep = [0]
            for i in 1..<(fps.count - 1) {
                let fpCurvature = fps[i + 1] - 2 * fps[i] + fps[i - 1]
                let tpCurvature = tps[i + 1] - 2 * tps[i] + tps[i - 1]
                if fpCurvature != 0 || tpCurvature != 0 { keep.append(i) }
            }
            keep.append(fps.count - 1)
            fps = keep.map { fps[$0] }
            tps = keep.map { tps[$0] }
            thresholds = keep.map { thresholds[$0] }
        }
        fps.insert(0, at: 0)
        tps.insert(0, at: 0)
        thresholds.insert(.infinity, at: 0)
        let positives = labels.count { $0 }
        let negatives = labels.count - positives
        falsePositiveRates = fps.map { negatives > 0 ? Double($0) / Double(negatives) : .nan }
        truePositiveRates = tps.map { positives > 0 ? Double($0) / Double(positives) : .nan }
        self.thresholds = thresholds
        self.positives = positives
        self.negatives = negatives
    }

    /// The area under the curve by the trapezoidal rule (scikit-learn's `auc(fpr, tpr)`); NaN with one class.
    public var area: Double {
        var sum = 0.0
        for i in 1..<falsePositiveRates.count {
            sum += (falsePositiveRates[i] - falsePositiveRates[i - 1])
                * (truePositiveRates[i] + truePositiveRates[i - 1]) / 2
        }
        return sum
    }

    /// The ROC AUC of scores for binary labels, scikit-learn's `roc_auc_score(y_true, y_score)`.
    ///
    /// - Returns: the area; NaN when only one class is present (scikit-learn ≥ 1.6 warns and returns NaN).
    /// - Throws: as `init(labels:scores:dropIntermediate:)`.
    public static func areaUnderCurve(labels: [Bool], scores: [Double]) throws -> Double {
        let curve = try ROCCurve(labels: labels, scores: scores)
        if curve.positives == 0 || curve.negatives == 0 { return .nan }
        return curve.area
    }

    /// Cumulative true and false positives at every distinct score, highest first (`_binary_clf_curve`).
    static func cumulativeCounts(labels: [Bool], scores: [Double])
        -> (truePositives: [Int], falsePositives: [Int], thresholds: [Double])
    {
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var tps: [Int] = [], fps: [Int] = [], thresholds: [Double] = []
        var tp = 0, fp = 0
        for (position, index) in order.enumerated() {
            if labels[index] { tp += 1 } else { fp += 1 }
            let isLastOfScore = position == order.count - 1 || scores[order[position + 1]] != scores[index]
            if isLastOfScore {
                tps.append(tp)
                fps.append(fp)
                thresholds.append(scores[index])
            }
        }
        return (tps, fps, thresholds)
    }
}
