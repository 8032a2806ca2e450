import NN

/// The per-voxel probabilities behind the faithfulness metric for one case: for each evaluated voxel, the
/// probability of the class predicted on the unmodified input after that voxel alone is set to the baseline.
///
/// They depend on the model and the case only, never on the attribution method, so one computation serves
/// every method's score (`FaithfulnessMetric.score`).
public struct VoxelDeletionProbabilities: Codable, Sendable, Equatable {
    /// Linear (z, y, x) offsets in the crop of the evaluated voxels (ICH ∪ PHE), ascending.
    public var voxelOffsets: [Int]
    /// The class predicted on the unmodified input.
    public var predictedClass: Int
    /// Its probability on the unmodified input.
    public var unperturbedProbability: Double
    /// `probabilities[i]`: the predicted class's probability with voxel `voxelOffsets[i]` set to the baseline.
    public var probabilities: [Double]
    /// The value each voxel was set to (000_…: 0).
    public var baseline: Double
    /// Perturbed inputs evaluated: the voxels not already at the baseline (the others keep the unperturbed
    /// probability without a forward).
    public var forwards: Int

    public init(voxelOffsets: [Int], predictedClass: Int, unperturbedProbability: Double, probabilities: [Double], baseline: Double,
                forwards: Int = 0) {
        self.voxelOffsets = voxelOffsets
        self.predictedClass = predictedClass
        self.unperturbedProbability = unperturbedProbability
        self.probabilities = probabilities
        self.baseline = baseline
        self.forwards = forwards
    }
}

/// Computes `VoxelDeletionProbabilities`: one perturbed forward per voxel, batched, and for a model with a
/// `VoxelReplacement` (the ResNet3D's) by default incrementally, each operation only over the part of its output
/// the voxel can reach.
public struct VoxelDeletion {
    /// How the perturbed forwards are evaluated; every strategy gives the same probabilities up to float
    /// rounding.
    public enum Strategy: Sendable, Equatable {
        /// The whole network on the whole crop for every voxel (AIX360's loop when `batchSize` is 1).
        case full
        /// For a model with a `VoxelReplacement` (the ResNet3D: `ResNet3DVoxelReplacement`): every operation only on the box of its output that the voxel reaches (its receptive
        /// field), from windows of the unperturbed activations, until a block's box would exceed `fullFraction`
        /// of its activation; whole activations from there (`ResNet3DVoxelReplacement`). Falls back to `.full`
        /// for other models.
        case incremental(fullFraction: Double)

        /// `.incremental` with the switch to whole activations at 70 % of a block's activation (fastest on ResNet-34-3D, width 64, 20×200×200).
        public static let incremental = Strategy.incremental(fullFraction: 0.7)
    }

    public let model: any ExplainableModel
    /// The replacement value (000_…: 0, the value of the masked background).
    public var baseline: Double
    /// Perturbed inputs per forward.
    public var batchSize: Int
    public var strategy: Strategy
    /// Called at the end with the `VoxelReplacement` profile (seconds per part) for `.incremental`.
    public var profile: (([String: Double]) -> Void)?

    public init(model: any ExplainableModel, baseline: Double = 0, batchSize: Int = 8,
                strategy: Strategy = .incremental) {
        self.model = model
        self.baseline = baseline
        self.batchSize = batchSize
        self.strategy = strategy
    }

    /// The deletion probabilities of the voxels `voxelOffsets` of one input.
    ///
    /// - Parameters:
    ///   - input: (1, 1, z, y, x), finite.
    ///   - voxelOffsets: linear (z, y, x) offsets to evaluate (e.g. every ICH ∪ PHE voxel), each once.
    ///   - targetClass: the class whose probability is tracked; nil (AIX360) takes the predicted (argmax) class.
    ///   - progress: called with (done, total) after each batch.
    /// - Throws: `ExplainError.invalidInput` for another shape or an offset outside the crop.
    public func probabilities(_ input: Tensor, voxelOffsets: [Int], targetClass: Int? = nil,
                              progress: (Int, Int) -> Void = { _, _ in }) throws -> VoxelDeletionProbabilities {
        try validateAttributionInput(input)
        guard input.shape[0] == 1, input.shape[1] == 1 else {
            throw ExplainError.invalidInput("faithfulness needs one single-channel input (1, 1, z, y, x), got \(input.shape)")
        }
        guard batchSize > 0 else { throw ExplainError.invalidConfiguration("batch size \(batchSize) must be > 0") }
        let x = try input.to(.float32).contiguous()
        let voxels = x.count
        let offsets = Array(Set(voxelOffsets)).sorted()
        if let bad = offsets.first(where: { $0 < 0 || $0 >= voxels }) {
            throw ExplainError.invalidInput("voxel offset \(bad) outside the crop's \(voxels) voxels")
        }
        let values: [Float] = try x.scalars()
        return try GradMode.withoutGrad {
            // The incremental pass runs the unperturbed forward itself; its logits serve as the reference.
            var incremental: (any VoxelReplacement)?
            if case .incremental(let fraction) = strategy {
                incremental = try model.voxelReplacement(for: x, fullFraction: fraction)
                incremental?.profiling = profile != nil
            }
            let base = try (incremental?.unperturbedLogits ?? model.evaluate(x, capture: [], relu: .standard).logits).softmax(dim: 1)
            let predicted = try targetClass ?? base.argmax(dim: 1).itemInt()
            guard (0..<base.shape[1]).contains(predicted) else {
                throw ExplainError.invalidInput("target class \(predicted) outside the model's \(base.shape[1]) classes")
            }
            let unperturbed = try base.select(1, predicted).item()
            var result = [Double](repeating: unperturbed, count: offsets.count)
            // A voxel that already holds the baseline changes nothing (AIX360 would still run a forward).
            let changed = offsets.indices.filter { Double(values[offsets[$0]]) != baseline }
            let evaluator: ([Int]) throws -> [Double]
            if let replacement = incremental {
                evaluator = { batch in
                    try replacement.logits(replacing: batch, with: Float(baseline)).softmax(dim: 1)
                        .select(1, predicted).scalars(as: Double.self)
                }
            } else {
                evaluator = { batch in try fullProbabilities(x, deleting: batch, predictedClass: predicted) }
            }
            var done = 0
            while done < changed.count {
                let batch = Array(changed[done..<min(done + batchSize, changed.count)])
                let p = try evaluator(batch.map { offsets[$0] })
                for (i, index) in batch.enumerated() { result[index] = p[i] }
                done += batch.count
                progress(done, changed.count)
            }
            if let profile, let incremental { profile(incremental.profile) }
            return VoxelDeletionProbabilities(voxelOffsets: offsets, predictedClass: predicted, unperturbedProbability: unperturbed,
                                              probabilities: result, baseline: baseline, forwards: changed.count)
        }
    }

    /// One whole-network forward per perturbed voxel, batched.
    private func fullProbabilities(_ x: Tensor, deleting offsets: [Int], predictedClass: Int) throws -> [Double] {
        let b = offsets.count, v = x.count
        let batch = try x.repeated([b, 1, 1, 1, 1])
        try batch.withUnsafeMutableBufferPointer(as: Float.self) { buffer in
            for (i, offset) in offsets.enumerated() { buffer[i * v + offset] = Float(baseline) }
        }
        let p = try model.evaluate(batch, capture: [], relu: .standard).logits.softmax(dim: 1).select(1, predictedClass)
        return try p.scalars(as: Double.self)
    }
}
