import Stats

/// The features of one case's faithfulness score and the weight each has in the correlation.
///
/// The *population* is the set of voxels whose deletion can change the prediction: the lesion, and for the
/// `.crop` set also any other voxel not at the baseline (none in a masked crop). Its deletion probabilities are
/// computed for all of it (exact) or for a seeded uniform sample of n of its N voxels. For `.crop`, every other
/// voxel is exactly at the baseline: its probability is the unperturbed one and its weight 1; a sampled
/// population voxel stands for N/n voxels (weight N/n) and an unsampled one has weight 0, so the weighted
/// Pearson correlation estimates the every-voxel score. For `.lesion` the features are the evaluated voxels,
/// unweighted (NeoICH's earlier metric).
public struct FaithfulnessFeatures: Sendable {
    public let set: FaithfulnessSet
    /// Voxels of the crop.
    public let cropVoxels: Int
    /// N: the population's size.
    public let populationCount: Int
    /// The deletion probabilities of the population or of its sample.
    public let deletion: VoxelDeletionProbabilities
    /// Per crop voxel, for `.crop`: weight and probability in the correlation (empty for `.lesion`).
    private let weights: [Double]
    private let probabilities: [Double]

    /// - Parameters:
    ///   - set: the feature set.
    ///   - cropVoxels: voxels of the crop.
    ///   - population: offsets of the population (lesion ∪ voxels not at the baseline for `.crop`).
    ///   - deletion: the probabilities of `population` or of a sample of it.
    /// - Throws: `ExplainError.invalidInput` when the deletion holds a voxel outside the population or the crop.
    public init(set: FaithfulnessSet, cropVoxels: Int, population: [Int], deletion: VoxelDeletionProbabilities) throws {
        let inPopulation = Set(population)
        guard deletion.voxelOffsets.allSatisfy({ inPopulation.contains($0) && $0 < cropVoxels }) else {
            throw ExplainError.invalidInput("deletion probabilities of voxels outside the faithfulness population")
        }
        self.set = set
        self.cropVoxels = cropVoxels
        populationCount = inPopulation.count
        self.deletion = deletion
        guard set == .crop else {
            weights = []
            probabilities = []
            return
        }
        var w = [Double](repeating: 1, count: cropVoxels)
        var p = [Double](repeating: deletion.unperturbedProbability, count: cropVoxels)
        for offset in inPopulation { w[offset] = 0 }
        let weight = deletion.voxelOffsets.isEmpty ? 0 : Double(inPopulation.count) / Double(deletion.voxelOffsets.count)
        for (offset, probability) in zip(deletion.voxelOffsets, deletion.probabilities) {
            w[offset] = weight
            p[offset] = probability
        }
        weights = w
        probabilities = p
    }

    /// n: the population voxels whose deletion was evaluated.
    public var evaluatedCount: Int { deletion.voxelOffsets.count }

    /// Whether the score estimates the metric from a sample (n < N).
    public var isSampled: Bool { evaluatedCount < populationCount }

    /// The number of features of the metric: the crop's voxels, or the lesion's.
    public var featureCount: Int { self.set == .crop ? cropVoxels : populationCount }

    /// "exact, N of N" or "estimate, n of N" (n and N count population voxels), for reports and the reader.
    public var label: String {
        isSampled ? "estimate, \(evaluatedCount) of \(populationCount)" : "exact, \(populationCount) of \(populationCount)"
    }

    /// The faithfulness (`−` weighted Pearson) of one attribution map over these features.
    ///
    /// - Parameter attribution: the map over the whole crop in (z, y, x) order.
    /// - Returns: higher is better; NaN when undefined (a constant map or constant probabilities).
    /// - Throws: `ExplainError.invalidInput` when the map does not cover the crop.
    public func score(_ attribution: [Float]) throws -> Double {
        guard set == .crop else { return try FaithfulnessMetric.score(attribution: attribution, deletion: deletion) }
        guard attribution.count == cropVoxels else {
            throw ExplainError.invalidInput("attribution of \(attribution.count) voxels for a crop of \(cropVoxels)")
        }
        return -Correlation.weightedPearson(attribution.map(Double.init), probabilities, weights: weights)
    }
}
