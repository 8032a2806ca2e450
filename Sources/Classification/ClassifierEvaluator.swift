import Foundation
import NN
import Torch
import Stats
import Plots

/// A value with its confidence interval.
public struct Estimate: Codable, Sendable, Equatable {
    public var value: Double
    public var lower: Double
    public var upper: Double
}

/// The evaluation of a classifier on one set of cases (001_… Table 2 row), as written by `neoich evaluate-cls`.
public struct ClassificationReport: Codable, Sendable {
    public struct Prediction: Codable, Sendable, Equatable {
        public var caseID: String
        public var neoplastic: Bool
        public var probability: Double
        public var predictedNeoplastic: Bool
        public var centre: String
        public var subtype: String
        public var hasLesion: Bool
    }

    public var name: String
    public var cases: Int
    public var neoplastic: Int
    /// AUC with DeLong's 95 % interval.
    public var auc: Estimate
    public var threshold: Double
    /// "model card" when the development threshold was applied unchanged, or the criterion when chosen here.
    public var thresholdSource: String
    /// Accuracy, sensitivity and specificity at the threshold, with stratified bootstrap 95 % intervals.
    public var accuracy: Estimate
    public var sensitivity: Estimate
    public var specificity: Estimate
    public var confusion: ConfusionMatrix
    public var predictions: [Prediction]
}

/// Scores and evaluates classifiers.
public enum ClassifierEvaluator {
    /// P(neoplastic) for each sample, in batches without gradients.
    public static func scores(_ model: ClassifierModel, _ samples: [ClassificationSample], batchSize: Int = 4) throws -> [Double] {
        var scores: [Double] = []
        for start in stride(from: 0, to: samples.count, by: max(1, batchSize)) {
            let part = Array(samples[start..<min(start + batchSize, samples.count)])
            scores += try model.probabilities(ClassificationDatasetLoader.batch(part))
        }
        return scores
    }

    /// The input of the last layer (globally average-pooled last-stage activations, `width × 8` values, or
    /// `× 32` for Bottleneck) of each sample, (N, F), in batches without gradients: what last-layer
    /// fine-tuning re-weights. On the network's device.
    public static func lastLayerInputs(_ model: ClassifierModel, _ samples: [ClassificationSample], batchSize: Int = 4) throws -> Tensor {
        try batched(samples, batchSize: batchSize) {
            try model.network.forward($0.to(device: model.network.device), mode: .inference, capture: ["pooled"]).activations["pooled"]!
        }
    }

    /// `body` applied without gradients to the stacked inputs of consecutive batches of `samples`, the results
    /// concatenated along the first dimension.
    static func batched(_ samples: [ClassificationSample], batchSize: Int, _ body: (Tensor) throws -> Tensor) throws -> Tensor {
        guard !samples.isEmpty else { throw ClassificationError.invalidArgument("no cases to run the network on") }
        var parts: [Tensor] = []
        for start in stride(from: 0, to: samples.count, by: max(1, batchSize)) {
            let part = Array(samples[start..<min(start + batchSize, samples.count)])
            parts.append(try GradMode.withoutGrad { try body(ClassificationDatasetLoader.batch(part)) })
        }
        return try Tensor.cat(parts, dim: 0)
    }

    /// `lastLayerInputs` as one row per sample, exported for analysis outside NeoICH (`neoich evaluate-cls --features`).
    public static func features(_ model: ClassifierModel, _ samples: [ClassificationSample], batchSize: Int = 4) throws -> [[Double]] {
        let inputs = try lastLayerInputs(model, samples, batchSize: batchSize)
        let width = inputs.shape[1]
        let values = try inputs.scalars(as: Double.self)
        return (0..<samples.count).map { Array(values[$0 * width..<($0 + 1) * width]) }
    }

    /// Writes `features.csv`: case, neoplastic, centre, then one column per feature (`f0`, `f1`, …).
    public static func writeFeatures(_ rows: [[Double]], samples: [ClassificationSample], to file: URL) throws {
        let width = rows.first?.count ?? 0
        var csv = (["case", "neoplastic", "centre"] + (0..<width).map { "f\($0)" }).joined(separator: ",") + "\n"
        for (sample, row) in zip(samples, rows) {
            csv += ([sample.caseID, sample.positive ? "1" : "0", sample.centre] + row.map { "\(Float($0))" }).joined(separator: ",") + "\n"
        }
        try Data(csv.utf8).write(to: file, options: .atomic)
    }

    /// Evaluates on `samples`.
    ///
    /// - Parameters:
    ///   - threshold: a fixed threshold (the development set's, from the model card); nil chooses it on these
    ///     cases with the card's criterion (sensitivity × specificity, 001_…).
    ///   - bootstrapResamples: resamples for the accuracy / sensitivity / specificity intervals.
    ///   - seed: the bootstrap's seed.
    /// - Throws: `ClassificationError.invalidArgument` when the cases do not include both classes.
    public static func evaluate(_ model: ClassifierModel, _ samples: [ClassificationSample], name: String,
                                threshold: Double? = nil, bootstrapResamples: Int = 2000, seed: UInt64 = 0) throws -> ClassificationReport {
        let scores = try self.scores(model, samples)
        return try report(samples, scores: scores, name: name, threshold: threshold,
                          criterion: model.card.thresholdCriterion, bootstrapResamples: bootstrapResamples, seed: seed)
    }

    /// The report of given scores (shared by evaluation, fine-tuning and the search).
    public static func report(_ samples: [ClassificationSample], scores: [Double], name: String, threshold fixed: Double?,
                              criterion: OperatingPoint.Criterion, bootstrapResamples: Int = 2000, seed: UInt64 = 0) throws -> ClassificationReport {
        let labels = samples.map(\.positive)
        guard labels.contains(true), labels.contains(false) else {
            throw ClassificationError.invalidArgument("\(name): evaluation needs both neoplastic and non-neoplastic cases")
        }
        // DeLong's variance needs two cases of each class; with fewer the interval is NaN, the AUC still exact.
        let delong = try? DeLongAUC(labels: labels, scores: scores)
        let auc = try delong?.auc ?? ROCCurve.areaUnderCurve(labels: labels, scores: scores)
        let threshold = try fixed ?? OperatingPoint.optimal(labels: labels, scores: scores, criterion: criterion).threshold
        let confusion = try ConfusionMatrix(labels: labels, scores: scores, threshold: threshold)
        var rng = Xoshiro256StarStar(seed: seed)
        func interval(_ metric: @escaping (ConfusionMatrix) -> Double) throws -> Estimate {
            let i = try Bootstrap.interval(labels: labels, scores: scores, configuration: .init(resamples: bootstrapResamples), using: &rng) {
                metric(try ConfusionMatrix(labels: $0, scores: $1, threshold: threshold))
            }
            return Estimate(value: i.estimate, lower: i.lower, upper: i.upper)
        }
        let predictions = zip(samples, scores).map { sample, p in
            ClassificationReport.Prediction(caseID: sample.caseID, neoplastic: sample.positive, probability: p,
                                            predictedNeoplastic: p >= threshold, centre: sample.centre,
                                            subtype: sample.subtype, hasLesion: sample.hasLesion)
        }
        return ClassificationReport(
            name: name, cases: samples.count, neoplastic: labels.filter { $0 }.count,
            auc: Estimate(value: auc, lower: delong?.lower ?? .nan, upper: delong?.upper ?? .nan), threshold: threshold,
            thresholdSource: fixed == nil ? "chosen on this set (\(criterion.rawValue))" : "model card",
            accuracy: try interval(\.accuracy), sensitivity: try interval(\.sensitivity), specificity: try interval(\.specificity),
            confusion: confusion, predictions: predictions)
    }

    /// Writes `report.json`, `predictions.csv`, `roc.svg` and `confusion.svg`.
    public static func write(_ report: ClassificationReport, to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Undefined intervals (too few cases of a class) are written as "NaN", as Python's json does.
        try JSONFile.write(report, to: directory.appendingPathComponent("report.json"), nonFinite: .pythonStrings)
        var csv = "case,neoplastic,probability,predicted_neoplastic,centre,subtype,has_lesion\n"
        for p in report.predictions {
            csv += "\(p.caseID),\(p.neoplastic ? 1 : 0),\(p.probability),\(p.predictedNeoplastic ? 1 : 0),\(p.centre),\(p.subtype),\(p.hasLesion ? 1 : 0)\n"
        }
        try Data(csv.utf8).write(to: directory.appendingPathComponent("predictions.csv"), options: .atomic)
        let labels = report.predictions.map(\.neoplastic), scores = report.predictions.map(\.probability)
        let curve = try ROCCurve(labels: labels, scores: scores)
        let point = try OperatingPoint(labels: labels, scores: scores, threshold: report.threshold)
        let roc = ROCPlot(title: "ROC — \(report.name)").svg(curve: curve, delong: try? DeLongAUC(labels: labels, scores: scores), operatingPoint: point)
        try Data(roc.utf8).write(to: directory.appendingPathComponent("roc.svg"), options: .atomic)
        let matrix = ConfusionMatrixPlot(title: "Confusion matrix — \(report.name)").svg(report.confusion)
        try Data(matrix.utf8).write(to: directory.appendingPathComponent("confusion.svg"), options: .atomic)
    }

    /// A plain-text table of reports side by side (001_… Table 2).
    public static func table(_ reports: [ClassificationReport]) -> String {
        func f(_ e: Estimate) -> String { String(format: "%.2f (%.2f–%.2f)", e.value, e.lower, e.upper) }
        let nameWidth = max(24, reports.map(\.name.count).max() ?? 0)
        var lines = ["set".padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            + "     n  AUC (95% CI)       accuracy           sensitivity        specificity        threshold"]
        for r in reports {
            lines.append(r.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + String(format: " %4d  ", r.cases)
                + [f(r.auc), f(r.accuracy), f(r.sensitivity), f(r.specificity)].map { $0.padding(toLength: 18, withPad: " ", startingAt: 0) }.joined(separator: " ")
                + String(format: " %.3f", r.threshold))
        }
        return lines.joined(separator: "\n")
    }
}
