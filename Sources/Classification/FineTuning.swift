import Foundation
import Imaging
import NN
import Reporting
import Stats

/// 001_… §2.8 / §4: adapt a trained classifier to another centre by training only its last layer on a few of
/// that centre's cases (the paper: 12 cases, 20 % of the external cohort), then evaluating on the rest.
/// Optionally the last residual stages are trained with it (`Configuration.stages`, a NeoICH extension).
public enum FineTuning {
    public struct Configuration: Codable, Sendable {
        /// 001_…: 12.
        public var cases = 12
        public var epochs = 30
        public var learningRate = 0.000296
        public var batchSize = 4
        public var seed: UInt64 = 0
        /// Also re-estimate the batch-norm statistics on the fine-tuning cases (AdaBN-style adaptation to the
        /// new centre's intensities; the weights stay frozen). Off by default, as in 001_….
        public var adaptBatchNorm = false
        /// Where the fine-tuned model's threshold comes from.
        public var threshold: ThresholdSource = .fineTuningCases
        /// Residual stages trained together with the last layer, counted from the end (0: the last layer only,
        /// 001_…; 1: layer4 and the last layer; …). Their batch-norm statistics stay those of the development data
        /// unless `adaptBatchNorm`.
        public var stages = 0
        public init() {}
    }

    /// The operating point of the fine-tuned model.
    public enum ThresholdSource: String, Codable, Sendable, CaseIterable {
        /// Chosen on the fine-tuning cases with the card's criterion (the fine-tuned model is a new model: its
        /// scores are on another scale than the one the development threshold was chosen for).
        case fineTuningCases = "fine-tuning-cases"
        /// The development threshold from the model card, unchanged.
        case development
    }

    /// The three rows of 001_… Table 2.
    public struct Result: Sendable {
        public var internalReport: ClassificationReport
        public var externalBefore: ClassificationReport
        public var externalAfter: ClassificationReport
        public var fineTuningCases: [String]
    }

    /// Picks `configuration.cases` external cases (stratified by class, seeded), trains the last layer on them,
    /// and evaluates internal, external-before and external-after on the held-out external cases. The first two
    /// rows use the development threshold from the model card; the fine-tuned row uses
    /// `configuration.threshold` (by default one chosen on the fine-tuning cases, written into the card).
    public static func run(model: ClassifierModel, internalTest: [ClassificationSample], external: [ClassificationSample],
                           configuration: Configuration, progress: ProgressReporter.Style? = nil) throws -> Result {
        guard external.count > configuration.cases else {
            throw ClassificationError.invalidArgument("the external set has \(external.count) cases; fine-tuning on \(configuration.cases) leaves none to evaluate")
        }
        let (tuning, heldOut) = split(external, configuration: configuration)
        let threshold = model.card.threshold
        let internalReport = try ClassifierEvaluator.evaluate(model, internalTest, name: "internal test", threshold: threshold, seed: configuration.seed)
        let before = try ClassifierEvaluator.evaluate(model, heldOut, name: "external", threshold: threshold, seed: configuration.seed)
        try train(model, on: tuning, configuration: configuration, progress: progress)
        var after: ClassificationReport
        switch configuration.threshold {
        case .development:
            after = try ClassifierEvaluator.evaluate(model, heldOut, name: "external after fine-tuning", threshold: threshold, seed: configuration.seed)
        case .fineTuningCases:
            let criterion = model.card.thresholdCriterion
            model.card.threshold = try OperatingPoint.optimal(labels: tuning.map(\.positive), scores: ClassifierEvaluator.scores(model, tuning),
                                                              criterion: criterion).threshold
            after = try ClassifierEvaluator.evaluate(model, heldOut, name: "external after fine-tuning", threshold: model.card.threshold,
                                                     seed: configuration.seed)
            after.thresholdSource = "chosen on the \(tuning.count) fine-tuning cases (\(criterion.rawValue))"
        }
        return Result(internalReport: internalReport, externalBefore: before, externalAfter: after, fineTuningCases: tuning.map(\.caseID).sorted())
    }

    /// The fine-tuning cases (`configuration.cases`, stratified by class, seeded) and the held-out rest.
    static func split(_ external: [ClassificationSample], configuration: Configuration) -> (tuning: [ClassificationSample], heldOut: [ClassificationSample]) {
        var rng = Xoshiro256StarStar(seed: configuration.seed)
        let positives = external.filter(\.positive).shuffled(using: &rng), negatives = external.filter { !$0.positive }.shuffled(using: &rng)
        let nPositive = min(positives.count, max(1, Int((Double(configuration.cases) * Double(positives.count) / Double(external.count)).rounded())))
        let tuning = Array(positives.prefix(nPositive)) + Array(negatives.prefix(configuration.cases - nPositive))
        let tuningIDs = Set(tuning.map(\.caseID))
        return (tuning, external.filter { !tuningIDs.contains($0.caseID) })
    }

    /// Trains the last layer (with `stages`, also the last residual stages; with `adaptBatchNorm`, also the
    /// batch-norm statistics) on `tuning`.
    ///
    /// Without `adaptBatchNorm` the rest of the network is frozen, runs in inference mode and sees no augmentation,
    /// so the trained part's input is a fixed function of each crop: it is computed once per case and the part is
    /// trained on those inputs (`trainPart`), the same steps as training through the network, without a forward
    /// pass of the frozen network per step.
    static func train(_ model: ClassifierModel, on tuning: [ClassificationSample], configuration: Configuration,
                      progress: ProgressReporter.Style?) throws {
        if configuration.adaptBatchNorm {
            try trainThroughNetwork(model, on: tuning, configuration: configuration, progress: progress)
        } else {
            try trainPart(model, inputs: partInputs(model, tuning, stages: configuration.stages), on: tuning, configuration: configuration)
        }
    }

    /// The frozen activation the trained part starts from: nil for the last layer alone (its input is the pooled
    /// last-stage activation, `ClassifierEvaluator.lastLayerInputs`), else the boundary before the first trained
    /// stage ("layer3" for `stages` 1 in a four-stage network, …, "stem" for all stages).
    ///
    /// - Throws: `ClassificationError.invalidArgument` unless 0 ≤ `stages` ≤ the network's stage count.
    static func startBoundary(_ model: ClassifierModel, stages: Int) throws -> String? {
        let count = model.network.trainableStages.count
        guard (0...count).contains(stages) else {
            throw ClassificationError.invalidArgument("fine-tuning can train 0…\(count) residual stages with the last layer, not \(stages)")
        }
        return stages == 0 ? nil : model.network.boundaryNames[1 + count - stages]
    }

    /// Each sample's input to the trained part (rows in sample order), in batches without gradients.
    static func partInputs(_ model: ClassifierModel, _ samples: [ClassificationSample], stages: Int, batchSize: Int = 4) throws -> Tensor {
        guard let boundary = try startBoundary(model, stages: stages) else { return try ClassifierEvaluator.lastLayerInputs(model, samples) }
        return try ClassifierEvaluator.batched(samples, batchSize: batchSize) {
            try model.network.forward($0, from: "input", through: boundary, mode: .inference)
        }
    }

    /// Logits from the trained part's inputs (inference-mode batch norm).
    static func partLogits(_ model: ClassifierModel, _ inputs: Tensor, stages: Int) throws -> Tensor {
        guard let boundary = try startBoundary(model, stages: stages) else { return try model.network.lastLayer.forward(inputs, mode: .inference) }
        return try model.network.forward(inputs, from: boundary, through: "logits", mode: .inference)
    }

    /// The trained part's parameters: the last `stages` residual stages and the last layer.
    static func partParameters(_ model: ClassifierModel, stages: Int) -> [Tensor] {
        model.network.trainableStages.suffix(stages).flatMap { $0.parameters } + model.network.lastLayer.parameters
    }

    /// The training recipe of fine-tuning: `configuration`'s epochs, learning rate, batch size and seed, no
    /// augmentation.
    static func trainingConfiguration(_ configuration: Configuration, cases: Int) -> ClassifierTrainingConfiguration {
        var training = ClassifierTrainingConfiguration()
        training.epochs = configuration.epochs
        training.batchSize = max(1, min(configuration.batchSize, cases))
        training.learningRate = configuration.learningRate
        training.augmentation = .none
        training.updateBatchNormStatistics = configuration.adaptBatchNorm
        training.seed = configuration.seed
        return training
    }

    /// Fine-tuning through the whole network (every step a forward pass of the frozen network): needed when the
    /// batch-norm statistics adapt.
    static func trainThroughNetwork(_ model: ClassifierModel, on tuning: [ClassificationSample], configuration: Configuration,
                                    progress: ProgressReporter.Style?) throws {
        _ = try startBoundary(model, stages: configuration.stages)
        try model.network.freeze()
        for part in model.network.trainableStages.suffix(configuration.stages) { try part.unfreeze() }
        try model.network.lastLayer.unfreeze()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neoich-finetune-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let trainer = ClassifierTrainer(model: model, configuration: trainingConfiguration(configuration, cases: tuning.count),
                                        outputDirectory: directory)
        trainer.progressStyle = progress
        try trainer.train(training: tuning, validation: [])
        try model.network.unfreeze()
    }

    /// Trains the part (`configuration.stages`) on precomputed inputs (`inputs` row i belongs to `tuning[i]`,
    /// from `partInputs`), with the batches, Adam and loss of `ClassifierTrainer` (001_…: NLL on log-softmax).
    static func trainPart(_ model: ClassifierModel, inputs: Tensor, on tuning: [ClassificationSample],
                          configuration: Configuration) throws {
        guard inputs.shape.first == tuning.count else {
            throw ClassificationError.invalidArgument("inputs of \(inputs.shape.first ?? 0) cases for \(tuning.count) fine-tuning cases")
        }
        let positives = tuning.filter(\.positive).count
        guard positives > 0, positives < tuning.count else {
            throw ClassificationError.invalidArgument("fine-tuning cases must include both classes (\(positives) of \(tuning.count) neoplastic)")
        }
        let c = trainingConfiguration(configuration, cases: tuning.count)
        let optimizer = Adam(partParameters(model, stages: configuration.stages), learningRate: c.learningRate, weightDecay: c.weightDecay)
        let row = Dictionary(tuning.enumerated().map { ($1.caseID, Int64($0)) }, uniquingKeysWith: { first, _ in first })
        let positiveClass = Int64(model.card.positiveClass)
        for epoch in 0..<c.epochs {
            var rng = ClassifierTrainer.epochRandom(seed: c.seed, epoch: epoch)
            for batch in ClassifierTrainer.batches(tuning, size: c.batchSize, balanced: c.balancedSampling, using: &rng) {
                try optimizer.zeroGrad()
                let x = try inputs.indexSelect(0, Tensor(batch.map { row[$0.caseID]! }))
                let targets = try Tensor(batch.map { $0.positive ? positiveClass : 1 - positiveClass })
                let loss = try partLogits(model, x, stages: configuration.stages).logSoftmax(dim: 1)
                    .nllLoss(target: targets, reduction: .sum).dividing(Double(batch.count))
                try loss.backward()
                try optimizer.step()
            }
        }
    }

    /// P(positive) from the trained part's inputs, in batches without gradients.
    static func partScores(_ model: ClassifierModel, inputs: Tensor, stages: Int, batchSize: Int = 16) throws -> [Double] {
        var scores: [Double] = []
        let n = inputs.shape[0]
        for start in stride(from: 0, to: n, by: batchSize) {
            scores += try GradMode.withoutGrad {
                try partLogits(model, inputs.narrow(0, start: start, length: min(batchSize, n - start)), stages: stages)
                    .softmax(dim: 1).select(1, model.card.positiveClass).scalars(as: Double.self)
            }
        }
        return scores
    }

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
            try trainPart(model, inputs: inputs.indexSelect(0, Tensor(train.map(Int64.init))), on: train.map { external[$0] },
                          configuration: configuration)
            let scores = try partScores(model, inputs: inputs.indexSelect(0, Tensor(test.map(Int64.init))), stages: stages)
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

    /// One draw of `repeated`: the external AUC on the held-out cases before and after fine-tuning on that
    /// draw's cases.
    public struct Draw: Codable, Sendable, Equatable {
        public var seed: UInt64
        public var fineTuningCases: [String]
        public var heldOutCases: Int
        public var aucBefore: Double
        public var aucAfter: Double
        public var delta: Double { aucAfter - aucBefore }
    }

    /// What the draws say: does fine-tuning on `cases` cases raise the external AUC, over many random choices of
    /// those cases (001_… reports one draw of 12, whose effect is within its confidence interval)?
    public struct DrawSummary: Codable, Sendable, Equatable {
        public var draws: Int
        public var raised: Int
        public var meanDelta: Double
        public var sdDelta: Double
        public var minDelta: Double
        public var maxDelta: Double
        /// Two-sided Wilcoxon signed-rank test of the paired differences (SciPy's `wilcoxon`); nil for < 2 draws
        /// or all differences 0.
        public var wilcoxonP: Double?

        public init(_ draws: [Draw]) {
            let d = draws.map(\.delta)
            self.draws = d.count
            raised = d.filter { $0 > 0 }.count
            meanDelta = (try? Descriptive.mean(d)) ?? .nan
            sdDelta = (try? Descriptive.standardDeviation(d, ddof: 1)) ?? .nan
            minDelta = d.min() ?? .nan
            maxDelta = d.max() ?? .nan
            wilcoxonP = d.count >= 2 && d.contains { $0 != 0 } ? try? WilcoxonSignedRank.test(differences: d).pValue : nil
        }
    }

    /// Fine-tunes a fresh copy of the model (`load`) once per seed `configuration.seed ..< seed + draws`, each on
    /// its own stratified choice of `configuration.cases` external cases, and measures the AUC on that draw's
    /// held-out cases before and after (paired: the same cases, the same scores before). `prepared` is called once
    /// the original model has scored every case (and, without batch-norm adaptation, every last-layer input is
    /// computed), before the first draw; `progress` after each draw.
    public static func repeated(load: () throws -> ClassifierModel, external: [ClassificationSample], configuration: Configuration,
                                draws: Int, prepared: (() -> Void)? = nil, progress: ((Int, Draw) -> Void)? = nil) throws -> [Draw] {
        guard draws >= 1 else { throw ClassificationError.invalidArgument("draws must be ≥ 1, got \(draws)") }
        guard external.count > configuration.cases else {
            throw ClassificationError.invalidArgument("the external set has \(external.count) cases; fine-tuning on \(configuration.cases) leaves none to evaluate")
        }
        let original = try load()
        // Without batch-norm adaptation every draw re-weights the same last-layer inputs: computed once.
        let inputs = configuration.adaptBatchNorm ? nil : try partInputs(original, external, stages: configuration.stages)
        let allScores = try inputs.map { try partScores(original, inputs: $0, stages: configuration.stages) }
            ?? ClassifierEvaluator.scores(original, external)
        let scores = Dictionary(zip(external.map(\.caseID), allScores), uniquingKeysWith: { first, _ in first })
        let row = Dictionary(external.enumerated().map { ($1.caseID, Int64($0)) }, uniquingKeysWith: { first, _ in first })
        prepared?()
        var result: [Draw] = []
        for k in 0..<draws {
            var draw = configuration
            draw.seed = configuration.seed &+ UInt64(k)
            let (tuning, heldOut) = split(external, configuration: draw)
            let labels = heldOut.map(\.positive)
            let before = try ROCCurve.areaUnderCurve(labels: labels, scores: heldOut.map { scores[$0.caseID]! })
            let model = try load()
            let afterScores: [Double]
            if let inputs {
                try trainPart(model, inputs: inputs.indexSelect(0, Tensor(tuning.map { row[$0.caseID]! })), on: tuning, configuration: draw)
                afterScores = try partScores(model, inputs: inputs.indexSelect(0, Tensor(heldOut.map { row[$0.caseID]! })),
                                             stages: draw.stages)
            } else {
                try train(model, on: tuning, configuration: draw, progress: .silent)
                afterScores = try ClassifierEvaluator.scores(model, heldOut)
            }
            let after = try ROCCurve.areaUnderCurve(labels: labels, scores: afterScores)
            let entry = Draw(seed: draw.seed, fineTuningCases: tuning.map(\.caseID).sorted(), heldOutCases: heldOut.count,
                             aucBefore: before, aucAfter: after)
            result.append(entry)
            progress?(k + 1, entry)
        }
        return result
    }
}
