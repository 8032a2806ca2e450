import Foundation
import Imaging
import NN
import Output
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
}
