import Foundation
import Imaging
import Reporting

/// `neoich predict --cohort DIR`: every scan of a folder, one case folder each plus `predictions.csv`.
///
/// Resumable: a case whose `report.json` exists (and reads with the current schema) is skipped. Memory is
/// bounded by one case: scans are read, predicted, written and released one after the other. A case that
/// fails is listed with its error and retried on the next run.
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
        /// Case id → error message.
        public var failed: [String: String] = [:]
        /// The CSV written.
        public var table: URL
    }

    public static let tableFileName = "predictions.csv"

    public let predictor: CasePredictor

    public init(predictor: CasePredictor) {
        self.predictor = predictor
    }

    /// The scans of a folder: `imagesTs/` and `imagesTr/` of an nnU-Net dataset when present, else the
    /// folder's own `.nii`/`.nii.gz`/`.zip` files; sorted by case id.
    ///
    /// - Throws: `ImagingError.fileNotFound`, `PipelineError.emptyCohort`.
    public static func cases(in folder: URL) throws -> [Case] {
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
                guard lower.hasSuffix(".nii.gz") || lower.hasSuffix(".nii") || lower.hasSuffix(".zip") else { continue }
                let url = directory.appendingPathComponent(name)
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
    ///   - progressStyle: `nil` picks a bar on a terminal, lines otherwise.
    /// - Throws: errors listing the cohort or writing the CSV; case errors are collected in the summary.
    public func run(_ folder: URL, output: URL, progressStyle: ProgressReporter.Style? = nil) throws -> Summary {
        let cases = try Self.cases(in: folder)
        do { try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true) } catch {
            throw PipelineError.writeFailed(file: output.path, detail: "\(error)")
        }
        var summary = Summary(table: output.appendingPathComponent(Self.tableFileName))
        let progress = ProgressReporter(total: cases.count, label: "predict", style: progressStyle)
        for item in cases {
            let caseFolder = output.appendingPathComponent(item.id)
            if (try? PredictionReport.read(caseFolder.appendingPathComponent(CasePredictor.reportFileName))) != nil {
                summary.skipped.append(item.id)
                progress.advance(detail: "\(item.id) (done before)")
                continue
            }
            do {
                // The prediction (scan, mask, crops) goes out of scope here: one case in memory at a time.
                _ = try predictor.predict(item.url, output: caseFolder, caseID: item.id)
                summary.predicted.append(item.id)
            } catch {
                summary.failed[item.id] = "\(error)"
            }
            progress.advance(detail: item.id)
        }
        progress.finish()
        try writeTable(cases: cases, output: output, failed: summary.failed, to: summary.table)
        return summary
    }

    /// One row per case in cohort order, from the reports on disk.
    private func writeTable(cases: [Case], output: URL, failed: [String: String], to url: URL) throws {
        var rows = [PredictionTableRow.header]
        for item in cases {
            let report = try? PredictionReport.read(output.appendingPathComponent(item.id).appendingPathComponent(CasePredictor.reportFileName))
            rows.append(PredictionTableRow.row(caseID: item.id, report: report, error: failed[item.id]))
        }
        do {
            try (rows.map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n")
                .write(to: url, atomically: true, encoding: .utf8)
        } catch {
            throw PipelineError.writeFailed(file: url.path, detail: "\(error)")
        }
    }
}
