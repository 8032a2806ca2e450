import Foundation
import Imaging
import Stats

/// Dice per class and case, their summary (mean, SD, median, range as 001_… §3.2 reports them) and ICH/PHE
/// volume agreement (Pearson r, Bland–Altman bias and 95 % limits of agreement).
public struct SegmentationEvaluation: Codable, Sendable, Equatable {
    /// One case's scores.
    public struct CaseResult: Codable, Sendable, Equatable {
        public var caseID: String
        /// Dice per foreground class (ICH, PHE); NaN (JSON null) when reference and prediction are both empty.
        public var dice: [Double?]
        /// Predicted and reference volumes per foreground class, mL.
        public var predictedVolumeML: [Double]
        public var referenceVolumeML: [Double]
    }

    /// Summary of one class's Dice over cases, NaN cases left out (nnU-Net's nanmean).
    public struct DiceSummary: Codable, Sendable, Equatable {
        public var label: String
        public var cases: Int
        public var mean: Double?
        public var standardDeviation: Double?
        public var median: Double?
        public var minimum: Double?
        public var maximum: Double?
    }

    /// Agreement of predicted with reference volumes for one class.
    public struct VolumeAgreement: Codable, Sendable, Equatable {
        public var label: String
        public var pearsonR: Double?
        /// Mean of predicted − reference, mL.
        public var biasML: Double?
        /// bias ± 1.96 · SD of the differences (sample SD, n − 1).
        public var lowerLimitML: Double?
        public var upperLimitML: Double?
    }

    public var labels: [String]
    public var cases: [CaseResult]
    public var dice: [DiceSummary]
    public var volumes: [VolumeAgreement]

    /// Evaluates pairs of label maps.
    ///
    /// - Parameters:
    ///   - pairs: case id, prediction, reference (same grid).
    ///   - labels: foreground label names, value 1 first.
    /// - Throws: `ImagingError.geometryMismatch` when a prediction is not on its reference's grid.
    public init(pairs: [(id: String, prediction: LabelMap, reference: LabelMap)], labels: [String] = ["ICH", "PHE"]) throws {
        self.labels = labels
        var results: [CaseResult] = []
        for (id, prediction, reference) in pairs {
            if let problem = reference.geometry.mismatch(with: prediction.geometry) {
                throw ImagingError.geometryMismatch(file: id, detail: problem)
            }
            var tp = [Double](repeating: 0, count: labels.count + 1), fp = tp, fn = tp, refCount = tp, predCount = tp
            prediction.withUnsafeVoxels { p in
                reference.withUnsafeVoxels { r in
                    for i in 0..<p.count {
                        let a = Int(p[i]), b = Int(r[i])
                        if a < predCount.count { predCount[a] += 1 }
                        if b < refCount.count { refCount[b] += 1 }
                        if a == b { if a < tp.count { tp[a] += 1 } } else {
                            if a < fp.count { fp[a] += 1 }
                            if b < fn.count { fn[b] += 1 }
                        }
                    }
                }
            }
            let voxelML = reference.spacingMM.voxelVolumeML
            let dice = (1...labels.count).map { c -> Double? in
                let d = DiceScore.dice(truePositives: tp[c], falsePositives: fp[c], falseNegatives: fn[c])
                return d.isNaN ? nil : d
            }
            results.append(CaseResult(caseID: id, dice: dice, predictedVolumeML: (1...labels.count).map { predCount[$0] * voxelML },
                                      referenceVolumeML: (1...labels.count).map { refCount[$0] * voxelML }))
        }
        cases = results
        dice = labels.enumerated().map { c, name in
            let values = results.compactMap { $0.dice[c] }
            return DiceSummary(label: name, cases: values.count, mean: Self.mean(values), standardDeviation: Self.sampleSD(values),
                               median: values.isEmpty ? nil : median(values), minimum: values.min(), maximum: values.max())
        }
        volumes = labels.enumerated().map { c, name in
            let predicted = results.map { $0.predictedVolumeML[c] }, reference = results.map { $0.referenceVolumeML[c] }
            let differences = zip(predicted, reference).map { $0 - $1 }
            let bias = Self.mean(differences), sd = Self.sampleSD(differences)
            return VolumeAgreement(label: name, pearsonR: Self.pearson(predicted, reference), biasML: bias,
                                   lowerLimitML: bias.flatMap { b in sd.map { b - 1.96 * $0 } },
                                   upperLimitML: bias.flatMap { b in sd.map { b + 1.96 * $0 } })
        }
    }

    /// Evaluates every `*.nii.gz` / `*.nii` in `predictions` against the file of the same name in `references`.
    ///
    /// As nnU-Net's `compute_metrics_on_folder`: every prediction needs a reference; references without a
    /// prediction (e.g. the training cases of a dataset's `labelsTr`) are ignored.
    ///
    /// - Throws: `SegmentationError.unmatchedCases` when a prediction has no reference; Imaging read errors.
    public static func evaluate(predictions: URL, references: URL) throws -> SegmentationEvaluation {
        func masks(_ folder: URL) throws -> [String] {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else {
                throw ImagingError.fileNotFound(file: folder.path)
            }
            return names.filter { $0.hasSuffix(".nii.gz") || $0.hasSuffix(".nii") }.sorted()
        }
        let predicted = try masks(predictions), reference = try masks(references)
        let missing = predicted.filter { !reference.contains($0) }
        guard missing.isEmpty else { throw SegmentationError.unmatchedCases(folder: references.path, cases: missing) }
        guard !predicted.isEmpty else { throw SegmentationError.unmatchedCases(folder: predictions.path, cases: []) }
        let pairs = try predicted.map { name in
            let predictionFile = predictions.appendingPathComponent(name), referenceFile = references.appendingPathComponent(name)
            let prediction = try NIfTIFile.readLabels(predictionFile), reference = try NIfTIFile.readLabels(referenceFile)
            if let problem = reference.geometry.mismatch(with: prediction.geometry) {
                throw ImagingError.invalidDataset(
                    file: predictionFile.path, detail: "the prediction is not on the grid of its reference \(referenceFile.path): \(problem)")
            }
            return (id: name.replacingOccurrences(of: ".nii.gz", with: "").replacingOccurrences(of: ".nii", with: ""),
                    prediction: prediction, reference: reference)
        }
        return try SegmentationEvaluation(pairs: pairs)
    }

    /// One row per case: `case,dice_ICH,dice_PHE,pred_ICH_mL,ref_ICH_mL,pred_PHE_mL,ref_PHE_mL` (empty Dice = NaN).
    public var csv: String {
        var lines = ["case," + labels.map { "dice_\($0)" }.joined(separator: ",") + ","
                     + labels.map { "pred_\($0)_mL,ref_\($0)_mL" }.joined(separator: ",")]
        for c in cases {
            let dice = c.dice.map { $0.map { String(format: "%.6f", $0) } ?? "NaN" }
            let volumes = labels.indices.map { String(format: "%.4f,%.4f", c.predictedVolumeML[$0], c.referenceVolumeML[$0]) }
            lines.append(([c.caseID] + dice + volumes).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `summary.json` and `cases.csv` into `folder`.
    public func write(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try VersionedJSON.write(self, to: folder.appendingPathComponent("summary.json"))
        do { try Data(csv.utf8).write(to: folder.appendingPathComponent("cases.csv"), options: .atomic) } catch {
            throw ImagingError.writeFailed(file: folder.appendingPathComponent("cases.csv").path, detail: "\(error)")
        }
    }

    static func mean(_ v: [Double]) -> Double? { v.isEmpty ? nil : v.reduce(0, +) / Double(v.count) }

    static func sampleSD(_ v: [Double]) -> Double? {
        guard v.count >= 2, let m = mean(v) else { return nil }
        let squares: Double = v.reduce(0) { $0 + ($1 - m) * ($1 - m) }
        return (squares / Double(v.count - 1)).squareRoot()
    }

    /// Pearson's r (`Stats.Correlation.pearson`); nil when either side is constant or there are fewer than 2 cases.
    static func pearson(_ a: [Double], _ b: [Double]) -> Double? {
        let r = Correlation.pearson(a, b)
        return r.isNaN ? nil : r
    }
}
