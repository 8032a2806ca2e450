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

    /// Pearson's correlation in double precision; NaN when either vector has zero variance.
    public static func pearson(_ a: [Double], _ b: [Double]) -> Double {
        let n = a.count
        guard n == b.count, n > 1 else { return .nan }
        let meanA = a.reduce(0, +) / Double(n), meanB = b.reduce(0, +) / Double(n)
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for i in 0..<n {
            let da = a[i] - meanA, db = b[i] - meanB
            sab += da * db
            saa += da * da
            sbb += db * db
        }
        guard saa > 0, sbb > 0, !a.contains(where: { !$0.isFinite }) else { return .nan }
        return sab / (saa * sbb).squareRoot()
    }
}
