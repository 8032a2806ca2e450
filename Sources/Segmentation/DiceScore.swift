/// The Dice similarity coefficient from counts.
enum DiceScore {
    /// `2·TP / (2·TP + FP + FN)`; NaN when reference and prediction are both empty (nnU-Net's convention).
    static func dice(truePositives: Double, falsePositives: Double, falseNegatives: Double) -> Double {
        let doubled: Double = 2 * truePositives
        let denominator: Double = doubled + falsePositives + falseNegatives
        return denominator == 0 ? .nan : doubled / denominator
    }
}
