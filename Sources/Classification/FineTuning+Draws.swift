import Foundation
import Imaging
import NN
import Output
import Stats

// MARK: - Fine-tuning repeated over seeded draws of the cases

extension FineTuning {
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
                try trainPart(model, inputs: inputs.indexSelect(0, Tensor(tuning.map { row[$0.caseID]! }).to(device: inputs.device)), on: tuning, configuration: draw)
                afterScores = try partScores(model, inputs: inputs.indexSelect(0, Tensor(heldOut.map { row[$0.caseID]! }).to(device: inputs.device)),
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
