import Foundation
import Imaging
import NN
import Output
import Stats

// MARK: - The ceiling of fine-tuning with many external cases

extension FineTuning {
    /// How far fine-tuning the last layer (with `stages`, also the last residual stages) could take the external
    /// AUC with far more external cases than 12: the external cases in `folds` class-stratified, seeded folds; for
    /// each fold the original part is fine-tuned (the same recipe) on all other folds and scores the fold; the
    /// pooled out-of-fold AUC against the unchanged model's AUC on the same cases. If even this does not rise, no
    /// choice of 12 cases can raise the AUC that way.
    public struct Ceiling: Codable, Sendable, Equatable {
        public var folds: Int
        public var cases: Int
        /// Cases each fold's last layer was trained on (the smallest fold's complement).
        public var trainingCasesPerFold: Int
        public var aucOriginal: Double
        public var aucFineTuned: Double
        public var delta: Double { aucFineTuned - aucOriginal }
        /// Variance captured by the first principal components of the last layer's inputs on these cases
        /// (fractions, largest first, at most 5): how many directions the layer has to re-weight.
        public var principalVariance: [Double]
    }

    /// See `Ceiling`. Needs `adaptBatchNorm` off (the last layer's inputs must be fixed).
    public static func ceiling(model: ClassifierModel, external: [ClassificationSample], configuration: Configuration,
                               folds: Int = 5) throws -> Ceiling {
        guard !configuration.adaptBatchNorm else {
            throw ClassificationError.invalidArgument("the fine-tuning ceiling trains on fixed inputs; batch-norm adaptation is not supported")
        }
        let positives = external.filter(\.positive), negatives = external.filter { !$0.positive }
        guard folds >= 2, positives.count >= folds, negatives.count >= folds else {
            throw ClassificationError.invalidArgument("\(folds) folds need ≥ 2 folds and at least that many cases of each class (\(positives.count) neoplastic, \(negatives.count) non-neoplastic)")
        }
        var rng = Xoshiro256StarStar(seed: configuration.seed)
        var fold = [String: Int]()
        for group in [positives.shuffled(using: &rng), negatives.shuffled(using: &rng)] {
            for (i, sample) in group.enumerated() { fold[sample.caseID] = i % folds }
        }
        let stages = configuration.stages
        let inputs = try partInputs(model, external, stages: stages)
        let original = try partScores(model, inputs: inputs, stages: stages)
        let trained = partParameters(model, stages: stages)
        let saved = try trained.map { try $0.detached().clone() }
        var outOfFold = [Double](repeating: .nan, count: external.count)
        var smallestTraining = Int.max
        for k in 0..<folds {
            let train = external.indices.filter { fold[external[$0].caseID] != k }
            let test = external.indices.filter { fold[external[$0].caseID] == k }
            smallestTraining = min(smallestTraining, train.count)
            try trainPart(model, inputs: inputs.indexSelect(0, Tensor(train.map(Int64.init)).to(device: inputs.device)), on: train.map { external[$0] },
                          configuration: configuration)
            let scores = try partScores(model, inputs: inputs.indexSelect(0, Tensor(test.map(Int64.init)).to(device: inputs.device)), stages: stages)
            for (i, score) in zip(test, scores) { outOfFold[i] = score }
            try GradMode.withoutGrad { for (p, v) in zip(trained, saved) { try p.copy(from: v) } }
        }
        let labels = external.map(\.positive)
        return Ceiling(folds: folds, cases: external.count, trainingCasesPerFold: smallestTraining,
                       aucOriginal: try ROCCurve.areaUnderCurve(labels: labels, scores: original),
                       aucFineTuned: try ROCCurve.areaUnderCurve(labels: labels, scores: outOfFold),
                       principalVariance: try principalVariance(stages == 0 ? inputs : ClassifierEvaluator.lastLayerInputs(model, external), count: 5))
    }

    /// Fractions of the total variance along the first `count` principal components of the rows of `x` (N, F).
    static func principalVariance(_ x: Tensor, count: Int) throws -> [Double] {
        let f = x.shape[1]
        let x64 = try x.to(.float64)
        let centred = try x64.subtracting(x64.mean(dims: [0], keepDims: true))
        let covariance = try centred.transposed(0, 1).matmul(centred).scalars(as: Double.self)
        let eigenvalues = SymmetricEigen.values(covariance, size: f).sorted(by: >)
        let total = eigenvalues.reduce(0) { $0 + max($1, 0) }
        guard total > 0 else { return [] }
        return eigenvalues.prefix(count).map { max($0, 0) / total }
    }
}
