import Foundation
import Imaging
import Output

/// `neoich predict --cohort DIR`: every scan of a folder, one case folder each plus `predictions.csv`.
///
/// Resumable: a case whose `report.json` exists, reads with the current schema, and was made from the same
/// input (size and modification time, else SHA-256) by the same models (their folders' SHA-256) is skipped;
/// a replaced scan or model is predicted again. Memory is bounded by one case: scans are read, predicted,
/// written and released one after the other. A case that fails is listed with its error and retried on the
/// next run; two files with one case id (`x.nii.gz` and `x_0000.nii.gz`) are both refused, never merged.
public struct CohortPrediction: Sendable {
    /// One scan of the cohort.
    public struct Case: Sendable, Equatable {
        public var id: String
        public var url: URL
    }

    /// What happened to the cohort.
    public struct Summary: Sendable, Equatable {
        public var predicted: [String] = []
        public var skipped: [String] = []
        /// Cases predicted again because their input or the models changed since their report.
        public var stale: [String] = []
        /// Case id → error message.
        public var failed: [String: String] = [:]
        /// The CSV written.
        public var table: URL
    }

    public static let tableFileName = "predictions.csv"
    /// The step named in the shard manifests of `predict --cohort --shard`.
    public static let shardStep = "predict"

    public let predictor: CasePredictor
    /// Whether DICOM cases (.zip files and, listed too, sub-folders of DICOM files) also get the DICOM objects
    /// of `DICOMCaseResults` (seg.dcm, sr.dcm, montage.dcm); NIfTI cases are predicted as without it.
    public var dicom: Bool

    public init(predictor: CasePredictor, dicom: Bool = false) {
        self.predictor = predictor
        self.dicom = dicom
    }

    /// The scans of a folder: `imagesTs/` and `imagesTr/` of an nnU-Net dataset when present, else the
    /// folder's own `.nii`/`.nii.gz`/`.zip` files (and, with `folders`, its sub-folders, each a DICOM case);
    /// sorted by case id.
    ///
    /// - Throws: `ImagingError.fileNotFound`, `PipelineError.emptyCohort`.
    public static func cases(in folder: URL, folders: Bool = false) throws -> [Case] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw ImagingError.fileNotFound(file: folder.path)
        }
        let nnUNet = ["imagesTs", "imagesTr"].map { folder.appendingPathComponent($0) }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
        var found: [Case] = []
        for directory in nnUNet.isEmpty ? [folder] : nnUNet {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            for name in names where !name.hasPrefix(".") {
                let lower = name.lowercased()
                let url = directory.appendingPathComponent(name)
                var isFolder: ObjCBool = false
                let isDICOMFolder = folders && FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder)
                    && isFolder.boolValue
                guard isDICOMFolder || lower.hasSuffix(".nii.gz") || lower.hasSuffix(".nii") || lower.hasSuffix(".zip") else { continue }
                found.append(Case(id: CTSource.caseID(of: url), url: url))
            }
        }
        guard !found.isEmpty else { throw PipelineError.emptyCohort(folder: folder.path) }
        return found.sorted { $0.id < $1.id }
    }

    /// Runs every case not yet finished and writes `predictions.csv` over all finished ones.
    ///
    /// - Parameters:
    ///   - folder: the cohort.
    ///   - output: one sub-folder per case and the CSV.
    ///   - shard: only the cases of this shard (`--shard i/n`); the output then holds that shard's case folders,
    ///     its rows of `predictions.csv` and `neoich-shard.json` for `neoich merge`.
    ///   - progressStyle: `nil` picks a bar on a terminal, lines otherwise.
    /// - Throws: errors listing the cohort or writing the CSV, `ShardError` when the output holds another
    ///   shard; case errors are collected in the summary.
    public func run(_ folder: URL, output: URL, shard: CohortShard? = nil,
                    progressStyle: ProgressReporter.Style? = nil) throws -> Summary {
        try OutputFolder.prepare(output)
        let cohort = try Self.cases(in: folder, folders: dicom)
        try ShardManifest.claim(folder: output, step: Self.shardStep, shard: shard, cohortCases: cohort.map(\.id))
        let listed = shard.map { shard in cohort.filter { shard.contains($0.id) } } ?? cohort
        var summary = Summary(table: output.appendingPathComponent(Self.tableFileName))
        let byID = Dictionary(grouping: listed, by: \.id)
        for (id, files) in byID where files.count > 1 {
            summary.failed[id] = "duplicate case id \(id): " + files.map(\.url.lastPathComponent).sorted().joined(separator: ", ")
                + " would write the same case folder; rename or remove all but one"
        }
        let cases = listed.filter { byID[$0.id]?.count == 1 }
        let progress = ProgressReporter(total: cases.count, label: shard.map { "predict \($0)" } ?? "predict", style: progressStyle)
        for item in cases {
            let caseFolder = output.appendingPathComponent(item.id)
            let reportURL = caseFolder.appendingPathComponent(CasePredictor.reportFileName)
            if let report = try? PredictionReport.read(reportURL) {
                if isUpToDate(report, input: item.url) {
                    summary.skipped.append(item.id)
                    progress.advance(detail: "\(item.id) (done before)")
                    continue
                }
                // Stale: the old report must not pass for this run's result if the new prediction fails.
                try? FileManager.default.removeItem(at: reportURL)
                summary.stale.append(item.id)
            }
            do {
                // The prediction (scan, mask, crops) goes out of scope here: one case in memory at a time.
                if isDICOMOutputCase(item.url) {
                    _ = try DICOMCaseResults.predict(item.url, predictor: predictor, output: caseFolder, caseID: item.id)
                } else {
                    _ = try predictor.predict(item.url, output: caseFolder, caseID: item.id)
                }
                summary.predicted.append(item.id)
            } catch {
                summary.failed[item.id] = "\(error)"
            }
            progress.advance(detail: item.id)
        }
        progress.finish()
        let ids = listed.map(\.id).reduce(into: [String]()) { if $0.last != $1 { $0.append($1) } }
        try writeTable(ids: ids, output: output, failed: summary.failed, to: summary.table)
        return summary
    }

    /// Whether `report` was made from this input by these models: equal size and modification time, or
    /// (after a touch or a copy) an equal SHA-256; and the same model folders.
    func isUpToDate(_ report: PredictionReport, input: URL) -> Bool {
        if isDICOMOutputCase(input), report.files.dicom != DICOMCaseResults.fileNames { return false }
        guard report.models == predictor.models.identifiers, let recorded = report.input.digest,
              let stamp = try? FileDigest.stamp(of: input), stamp.sizeBytes == recorded.sizeBytes else { return false }
        if stamp.modifiedAt == recorded.modifiedAt { return true }
        return (try? FileDigest.of(input))?.sha256 == recorded.sha256
    }

    /// Whether the case gets DICOM objects: with `dicom`, a .zip or a folder.
    func isDICOMOutputCase(_ input: URL) -> Bool {
        guard dicom else { return false }
        var isFolder: ObjCBool = false
        return input.pathExtension.lowercased() == "zip"
            || (FileManager.default.fileExists(atPath: input.path, isDirectory: &isFolder) && isFolder.boolValue)
    }

    /// One row per case in cohort order, from the reports on disk.
    private func writeTable(ids: [String], output: URL, failed: [String: String], to url: URL) throws {
        var rows = [PredictionTableRow.header]
        for id in ids {
            // A case that failed in this run shows its error, never an older report's numbers.
            let report = failed[id] != nil ? nil
                : try? PredictionReport.read(output.appendingPathComponent(id).appendingPathComponent(CasePredictor.reportFileName))
            rows.append(PredictionTableRow.row(caseID: id, report: report, error: failed[id]))
        }
        do {
            try (rows.map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n")
                .write(to: url, atomically: true, encoding: .utf8)
        } catch {
            throw PipelineError.writeFailed(file: url.path, detail: "\(error)")
        }
    }
}
