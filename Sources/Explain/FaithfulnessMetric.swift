import Stats
/// The faithfulness metric of 000_… §2.5 (AIX360 `faithfulness_metric`, Alvarez-Melis & Jaakkola 2018):
/// `−pearson(attribution, p)`, where `p[i]` is the probability of the originally predicted class after voxel
/// `i` alone is set to the baseline. Higher is better; NaN when either vector is constant (as `np.corrcoef`).
public enum FaithfulnessMetric {
    /// The score of one attribution map, given the case's shared deletion probabilities.
    ///
    /// - Parameters:
    ///   - attribution: the map over the whole crop in (z, y, x) order (one channel).
    ///   - deletion: the case's probabilities, computed once for every method.
    /// - Returns: −pearson over the evaluated voxels; NaN for fewer than two voxels or a constant vector.
    /// - Throws: `ExplainError.invalidInput` when the map does not cover the evaluated voxels.
    public static func score(attribution: [Float], deletion: VoxelDeletionProbabilities) throws -> Double {
        guard let last = deletion.voxelOffsets.max(), last < attribution.count else {
            if deletion.voxelOffsets.isEmpty { return .nan }
            throw ExplainError.invalidInput("attribution of \(attribution.count) voxels does not cover voxel offset \(deletion.voxelOffsets.max() ?? 0)")
        }
        let coefficients = deletion.voxelOffsets.map { Double(attribution[$0]) }
        return -pearson(coefficients, deletion.probabilities)
    }

    /// Pearson's correlation (`Stats.Correlation.pearson`); NaN when either vector has zero variance.
    public static func pearson(_ a: [Double], _ b: [Double]) -> Double {
        Correlation.pearson(a, b)
    }
}
