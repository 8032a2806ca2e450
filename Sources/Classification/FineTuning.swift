import Foundation
import Imaging
import NN
import Reporting
import Stats

/// 001_… §2.8 / §4: adapt a trained classifier to another centre by training only its last layer on a few of
/// that centre's cases (the paper: 12 cases, 20 % of the external cohort), then evaluating on the rest.
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

    /// Trains the last layer (and, with `adaptBatchNorm`, the batch-norm statistics) on `tuning`.
    static func train(_ model: ClassifierModel, on tuning: [ClassificationSample], configuration: Configuration,
                      progress: ProgressReporter.Style?) throws {
        try model.network.freeze()
        try model.network.classifierHead.unfreeze()
        var training = ClassifierTrainingConfiguration()
        training.epochs = configuration.epochs
        training.batchSize = min(configuration.batchSize, tuning.count)
        training.learningRate = configuration.learningRate
        training.augmentation = .none
        training.updateBatchNormStatistics = configuration.adaptBatchNorm
        training.seed = configuration.seed
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neoich-finetune-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let trainer = ClassifierTrainer(model: model, configuration: training, outputDirectory: directory)
        trainer.progressStyle = progress
        try trainer.train(training: tuning, validation: [])
        try model.network.unfreeze()
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
    /// held-out cases before and after (paired: the same cases, the same scores before).
    public static func repeated(load: () throws -> ClassifierModel, external: [ClassificationSample], configuration: Configuration,
                                draws: Int, progress: ((Int, Draw) -> Void)? = nil) throws -> [Draw] {
        guard draws >= 1 else { throw ClassificationError.invalidArgument("draws must be ≥ 1, got \(draws)") }
        guard external.count > configuration.cases else {
            throw ClassificationError.invalidArgument("the external set has \(external.count) cases; fine-tuning on \(configuration.cases) leaves none to evaluate")
        }
        let original = try load()
        let scores = Dictionary(uniqueKeysWithValues: zip(external.map(\.caseID), try ClassifierEvaluator.scores(original, external)))
        var result: [Draw] = []
        for k in 0..<draws {
            var draw = configuration
            draw.seed = configuration.seed &+ UInt64(k)
            let (tuning, heldOut) = split(external, configuration: draw)
            let labels = heldOut.map(\.positive)
            let before = try ROCCurve.areaUnderCurve(labels: labels, scores: heldOut.map { scores[$0.caseID]! })
            let model = try load()
            try train(model, on: tuning, configuration: draw, progress: .silent)
            let after = try ROCCurve.areaUnderCurve(labels: labels, scores: ClassifierEvaluator.scores(model, heldOut))
            let entry = Draw(seed: draw.seed, fineTuningCases: tuning.map(\.caseID).sorted(), heldOutCases: heldOut.count,
                             aucBefore: before, aucAfter: after)
            result.append(entry)
            progress?(k + 1, entry)
        }
        return result
    }
}
