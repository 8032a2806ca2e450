import Foundation
import Imaging
import Output
import Stats

/// How separable the classes are on ground-truth lesion features: the AUC of each feature alone and of a
/// logistic regression on all of them, cross-validated (issue 4's difficulty calibration).
public struct OracleCalibration: Sendable, Codable, Equatable {
    /// One row of the table.
    public struct Row: Sendable, Codable, Equatable {
        public var name: String
        public var auc: Double
    }

    public var cases: Int
    public var neoplastic: Int
    /// Stratified folds of the cross-validation.
    public var folds: Int
    /// The cross-validated AUC of the logistic regression on all features (out-of-fold probabilities).
    public var combinedAUC: Double
    /// Each single feature's AUC, oriented so that ≥ 0.5 (whichever direction separates).
    public var singleFeatures: [Row]
    /// Medians of ICH and PHE volume per class, mL: (neoplastic, non-neoplastic).
    public var ichMedianML: [Double]
    public var pheMedianML: [Double]

    /// Computes the table.
    ///
    /// - Parameters:
    ///   - features: one per case.
    ///   - neoplastic: the class of each case.
    ///   - folds: stratified cross-validation folds (cases assigned round-robin within each class, in order).
    /// - Throws: `StatsError` when a class has fewer cases than folds or the input is degenerate.
    public static func compute(features: [LesionFeatures], neoplastic: [Bool], folds: Int = 5) throws -> OracleCalibration {
        try StatsErrorCheck.paired(features.count, neoplastic.count)
        let rows = features.map(\.vector)
        var fold = [Int](repeating: 0, count: rows.count)
        var counters = [0, 0]
        for i in 0..<rows.count {
            let c = neoplastic[i] ? 1 : 0
            fold[i] = counters[c] % folds
            counters[c] += 1
        }
        guard counters.min() ?? 0 >= folds else {
            throw StatsError.tooFewObservations(argument: "cases per class", count: counters.min() ?? 0, minimum: folds)
        }
        var outOfFold = [Double](repeating: 0, count: rows.count)
        for f in 0..<folds {
            let train = rows.indices.filter { fold[$0] != f }
            let model = try LogisticRegression.fit(features: train.map { rows[$0] }, labels: train.map { neoplastic[$0] })
            for i in rows.indices where fold[i] == f { outOfFold[i] = model.decisionFunction(rows[i]) }
        }
        let combined = try ROCCurve.areaUnderCurve(labels: neoplastic, scores: outOfFold)
        var single: [Row] = []
        for (j, name) in LesionFeatures.names.enumerated() {
            let auc = try ROCCurve.areaUnderCurve(labels: neoplastic, scores: rows.map { $0[j] })
            single.append(Row(name: name, auc: max(auc, 1 - auc)))
        }
        func medians(_ value: (LesionFeatures) -> Double) throws -> [Double] {
            try [true, false].map { cls in try Descriptive.median(features.indices.filter { neoplastic[$0] == cls }.map { value(features[$0]) }) }
        }
        return OracleCalibration(
            cases: rows.count, neoplastic: neoplastic.filter { $0 }.count, folds: folds, combinedAUC: combined,
            singleFeatures: single, ichMedianML: try medians(\.ichVolumeML), pheMedianML: try medians(\.pheVolumeML))
    }

    /// The table as text.
    public var text: String {
        var lines = [
            "Oracle AUC on ground-truth features: \(cases) cases (\(neoplastic) neoplastic), "
                + "logistic regression (L2, C = 1, standardised), \(folds)-fold stratified cross-validation",
            "  " + "all features (LR, CV)".padding(toLength: 26, withPad: " ", startingAt: 0) + String(format: "%.3f", combinedAUC),
        ]
        for row in singleFeatures {
            lines.append("  " + row.name.padding(toLength: 26, withPad: " ", startingAt: 0) + String(format: "%.3f", row.auc))
        }
        lines.append(String(format: "Median ICH volume: neoplastic %.2f mL, non-neoplastic %.2f mL (Table 1: 6.85, 6.29)",
                            ichMedianML[0], ichMedianML[1]))
        lines.append(String(format: "Median PHE volume: neoplastic %.2f mL, non-neoplastic %.2f mL (Table 1: 23.11, 10.48)",
                            pheMedianML[0], pheMedianML[1]))
        return lines.joined(separator: "\n")
    }
}

/// Argument checks for the phantom's statistics.
enum StatsErrorCheck {
    static func paired(_ a: Int, _ b: Int) throws {
        if a != b { throw StatsError.lengthMismatch(first: "features", firstCount: a, second: "labels", secondCount: b) }
    }
}

extension OracleCalibration {
    /// Measures every case of a dataset (labels from cohort.csv) and computes the table.
    ///
    /// - Throws: `PhantomError.invalidDataset` (no cohort.csv, unknown label), `ImagingError` from reading.
    public static func measure(dataset: NNUNetDataset, folds: Int = 5, progress: ProgressReporter? = nil) throws -> OracleCalibration {
        let csv = dataset.root.appendingPathComponent("cohort.csv").path
        guard let cohort = dataset.cohort else { throw PhantomError.invalidDataset(file: csv, detail: "missing cohort.csv (class labels)") }
        var features: [LesionFeatures] = [], classes: [Bool] = []
        for record in cohort.records {
            guard let cls = EtiologyClass(rawValue: record.label) else {
                throw PhantomError.invalidDataset(file: csv, detail: "case \(record.caseID): label \"\(record.label)\", expected neoplastic or non-neoplastic")
            }
            let image = try NIfTIFile.read(dataset.imageURL(record.caseID), as: Float.self)
            let labels = try NIfTIFile.readLabels(dataset.labelURL(record.caseID))
            features.append(try LesionFeatures.measure(image: image, labels: labels, file: dataset.labelURL(record.caseID).path))
            classes.append(cls == .neoplastic)
            progress?.advance(detail: record.caseID)
        }
        progress?.finish()
        return try compute(features: features, neoplastic: classes, folds: folds)
    }

    /// Generates cases in memory (nothing written) and computes the table.
    public static func measure(generator: PhantomGenerator, cases: Int, start: Int = 0, jobs: Int = 2, folds: Int = 5,
                               progress: ProgressReporter? = nil) throws -> OracleCalibration {
        let collector = FeatureCollector(count: cases)
        DispatchQueue.concurrentPerform(iterations: max(1, jobs)) { worker in
            var i = worker
            while i < cases {
                let phantom = generator.generate(index: start + i)
                collector.store(i, Result { try LesionFeatures.measure(image: phantom.image, labels: phantom.labels, file: phantom.spec.caseID) },
                                neoplastic: phantom.spec.etiologyClass == .neoplastic)
                progress?.advance(detail: phantom.spec.caseID)
                i += max(1, jobs)
            }
        }
        progress?.finish()
        let (features, classes) = try collector.results()
        return try compute(features: features, neoplastic: classes, folds: folds)
    }
}

/// Features of parallel workers, one slot per case.
final class FeatureCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [(Result<LesionFeatures, Error>, Bool)?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func store(_ index: Int, _ result: Result<LesionFeatures, Error>, neoplastic: Bool) {
        lock.lock(); defer { lock.unlock() }
        slots[index] = (result, neoplastic)
    }

    func results() throws -> ([LesionFeatures], [Bool]) {
        lock.lock(); defer { lock.unlock() }
        var features: [LesionFeatures] = [], classes: [Bool] = []
        for slot in slots.compactMap({ $0 }) {
            features.append(try slot.0.get())
            classes.append(slot.1)
        }
        return (features, classes)
    }
}
