import Explain
import Foundation
import Imaging
import Plots
import Stats

/// Reads an explained cohort into `StudyCase`s for `CohortStudy` (`neoich analyze`): what NeoICH writes
/// (`cohort.csv` through `Imaging.CohortTable`, `explanation.json` with `CaseExplanation.Summary`'s keys, label
/// maps through niftilib) as plain numbers for the study's statistics.
///
/// Accepted layout (`COHORT` is the folder given; every path below is optional unless marked):
/// ```
/// COHORT/cohort.csv                         required: case,label,subtype,centre,split,covariates…
/// COHORT/predictions.csv                    `neoich predict --cohort`: case, p_neoplastic, ich_volume_ml, phe_volume_ml
/// EXPL/<case>/explanation.json              `neoich explain --output EXPL/<case>`; EXPL is --explanations, else
///                                           COHORT/explanations, the predictions folder, or COHORT itself
/// EXPL/<case>.json                          the same file, flat
/// PRED/<case>/report.json                   `neoich predict` report: volumes from total.ich/phe.volumeML
/// COHORT/labelsTr/<case>.nii.gz             nnU-Net reference labels: volumes by voxel count (last resort)
/// ```
/// `label` accepts neoplastic / non-neoplastic (any case, `_` or `-`, also 1/0). `explanation.json` is either
/// `explain`'s `{"explanation": {...}, "files": {...}}` or the bare summary; only `methods[].method`,
/// `methods[].regionImportance.{ich,phe,background}` and, if present, `methods[].faithfulness` and
/// `probabilities` are read; "NaN" strings are NaN. P(neoplastic) comes from predictions.csv (the end-to-end
/// result) or else `probabilities[1]`. Volumes come from the first of: predictions.csv, cohort.csv columns
/// `ich_volume_ml`/`phe_volume_ml`, the explanation's `ichVolumeML`/`pheVolumeML`, report.json, labelsTr.
///
/// The study population is the cases with an explanation; without any explanation, the cases with a
/// probability; without either, every case (Table 1 only).
public struct CohortStudyLoader: Sendable {
    /// The cohort folder (or its cohort.csv).
    public var cohort: URL
    /// `predictions.csv` or the folder holding it and the case folders; nil = COHORT/predictions.csv if present.
    public var predictions: URL?
    /// The folder of per-case explanations; nil = search as documented on the type.
    public var explanations: URL?
    /// Keep only cases of this split (cohort.csv's `split`); nil = all.
    public var split: String?
    /// Fall back to labelsTr label maps for volumes; true.
    public var labelMapVolumes: Bool

    /// A loader; see the type's documentation for the layout.
    public init(cohort: URL, predictions: URL? = nil, explanations: URL? = nil, split: String? = nil, labelMapVolumes: Bool = true) {
        self.cohort = cohort
        self.predictions = predictions
        self.explanations = explanations
        self.split = split
        self.labelMapVolumes = labelMapVolumes
    }

    /// What was loaded.
    public struct Result: Sendable {
        /// The study cases, in cohort.csv order.
        public var cases: [StudyCase]
        /// cohort.csv's covariate columns.
        public var covariateNames: [String]
        /// Where the numbers came from, for the report.
        public var notes: [String]
    }

    /// Loads the cohort.
    ///
    /// - Throws: `CohortStudyError` naming the file (missing cohort.csv, bad label, malformed JSON or CSV,
    ///   no case left), `ImagingError` from `CohortTable.read` and label maps.
    public func load() throws -> Result {
        let isCSV = cohort.pathExtension.lowercased() == "csv"
        let folder = isCSV ? cohort.deletingLastPathComponent() : cohort
        let tableURL = isCSV ? cohort : cohort.appendingPathComponent("cohort.csv")
        guard FileManager.default.fileExists(atPath: tableURL.path) else {
            throw CohortStudyError.missing(path: tableURL.path, expected: "cohort.csv (case,label,subtype,centre,split,covariates…)")
        }
        let table = try CohortTable.read(tableURL)
        var records = table.records
        if let split {
            records = records.filter { $0.split == split }
            guard !records.isEmpty else { throw CohortStudyError.noCases("no case of split \"\(split)\" in \(tableURL.path)") }
        }
        let predictionTable = try predictionsTable(folder)
        let predictionFolder = predictionTable.map { $0.url.deletingLastPathComponent() }
        let roots = explanationRoots(folder, predictionFolder)
        var notes: [String] = []
        var volumeSources: [String: Int] = [:]
        var cases: [StudyCase] = []
        for record in records {
            var c = StudyCase(caseID: record.caseID, neoplastic: try Self.neoplastic(record, file: tableURL.path),
                              subtype: record.subtype, centre: record.centre, split: record.split, covariates: record.covariates)
            let predicted = predictionTable?.rows[record.caseID]
            if let url = roots.lazy.compactMap({ Self.explanationURL(record.caseID, in: $0) }).first {
                let explanation = try ExplanationFile.read(url)
                c.methods = explanation.methods
                (c.faithfulnessSet, c.faithfulnessLabel) = (explanation.faithfulnessSet, explanation.faithfulnessLabel)
                c.probability = explanation.probability
                (c.ichVolumeML, c.pheVolumeML) = (explanation.ichVolumeML, explanation.pheVolumeML)
                if c.ichVolumeML != nil { volumeSources["explanation.json", default: 0] += 1 }
            }
            if let p = try predicted?.number(["p_neoplastic", "probability", "probability_neoplastic"]) { c.probability = p }
            let fromTable = try (predicted?.number(["ich_volume_ml", "ichvolumeml"]), predicted?.number(["phe_volume_ml", "phevolumeml"]))
            let fromCohort = try (Self.number(record, "ich_volume_ml", tableURL.path), Self.number(record, "phe_volume_ml", tableURL.path))
            if let ich = fromTable.0 {
                (c.ichVolumeML, c.pheVolumeML) = (ich, fromTable.1)
                volumeSources["predictions.csv", default: 0] += 1
            } else if let ich = fromCohort.0 {
                (c.ichVolumeML, c.pheVolumeML) = (ich, fromCohort.1)
                volumeSources["cohort.csv", default: 0] += 1
            } else if c.ichVolumeML == nil, let folder = predictionFolder,
                      let volumes = try ReportVolumes.read(folder.appendingPathComponent(record.caseID).appendingPathComponent("report.json")) {
                (c.ichVolumeML, c.pheVolumeML) = volumes
                volumeSources["report.json", default: 0] += 1
            } else if c.ichVolumeML == nil, labelMapVolumes {
                let url = folder.appendingPathComponent("labelsTr").appendingPathComponent("\(record.caseID).nii.gz")
                if FileManager.default.fileExists(atPath: url.path) {
                    (c.ichVolumeML, c.pheVolumeML) = try Self.labelVolumes(url)
                    volumeSources["labelsTr (reference segmentation)", default: 0] += 1
                }
            }
            cases.append(c)
        }
        let explained = cases.filter { !$0.methods.isEmpty }
        if !explained.isEmpty {
            if explained.count < cases.count { notes.append("\(cases.count - explained.count) cases without explanation.json left out") }
            cases = explained
        } else if cases.contains(where: { $0.probability != nil }) {
            notes.append("no explanation.json found (searched \(roots.map(\.path).joined(separator: ", "))); cases with a probability only")
            cases = cases.filter { $0.probability != nil }
        } else {
            notes.append("no explanation.json and no probabilities found; Table 1 only")
        }
        if let predictionTable { notes.append("probabilities and volumes from \(predictionTable.url.path)") }
        for (source, count) in volumeSources.sorted(by: { $0.key < $1.key }) { notes.append("volumes of \(count) cases from \(source)") }
        return Result(cases: cases, covariateNames: table.covariateNames, notes: notes)
    }

    // MARK: - Files

    func predictionsTable(_ folder: URL) throws -> PredictionCSV? {
        if let predictions {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: predictions.path, isDirectory: &isFolder) else {
                throw CohortStudyError.missing(path: predictions.path, expected: "predictions.csv or the folder of `neoich predict --cohort`")
            }
            let url = isFolder.boolValue ? predictions.appendingPathComponent("predictions.csv") : predictions
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw CohortStudyError.missing(path: url.path, expected: "predictions.csv (case,…,p_neoplastic,…)")
            }
            return try PredictionCSV.read(url)
        }
        let url = folder.appendingPathComponent("predictions.csv")
        return FileManager.default.fileExists(atPath: url.path) ? try PredictionCSV.read(url) : nil
    }

    func explanationRoots(_ folder: URL, _ predictionFolder: URL?) -> [URL] {
        if let explanations { return [explanations] }
        return [folder.appendingPathComponent("explanations")] + (predictionFolder.map { [$0] } ?? []) + [folder]
    }

    /// `root/<case>/explanation.json` or `root/<case>.json`, whichever exists first.
    static func explanationURL(_ caseID: String, in root: URL) -> URL? {
        [root.appendingPathComponent(caseID).appendingPathComponent("explanation.json"), root.appendingPathComponent("\(caseID).json")]
            .first { FileManager.default.fileExists(atPath: $0.path) }
    }

    static func neoplastic(_ record: CohortRecord, file: String) throws -> Bool {
        let key = record.label.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "_", with: "-")
        switch key {
        case "neoplastic", "1", "true", "yes": return true
        case "non-neoplastic", "nonneoplastic", "non neoplastic", "0", "false", "no": return false
        default:
            throw CohortStudyError.malformed(file: file, detail: "case \(record.caseID): label \"\(record.label)\"; expected neoplastic or non-neoplastic")
        }
    }

    static func number(_ record: CohortRecord, _ column: String, _ file: String) throws -> Double? {
        guard let text = record.covariates[column]?.trimmingCharacters(in: .whitespaces), !text.isEmpty, text.lowercased() != "na" else { return nil }
        guard let value = Double(text), value.isFinite else {
            throw CohortStudyError.malformed(file: file, detail: "case \(record.caseID): \(column) \"\(text)\" is not a number")
        }
        return value
    }

    /// ICH and PHE volumes (mL) of a label map by voxel count.
    static func labelVolumes(_ url: URL) throws -> (Double, Double) {
        let labels = try NIfTIFile.readLabels(url)
        var ich = 0, phe = 0
        for v in labels.voxels {
            if v == LesionLabel.ich.rawValue { ich += 1 } else if v == LesionLabel.phe.rawValue { phe += 1 }
        }
        let ml = labels.geometry.spacingMM.voxelVolumeML
        return (Double(ich) * ml, Double(phe) * ml)
    }
}
