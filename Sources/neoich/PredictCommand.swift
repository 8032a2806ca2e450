import ArgumentParser
import DICOM
import Foundation
import Imaging
import Pipeline
import Segmentation

/// Where the two models are; shared by `neoich predict` and `neoich serve`.
struct ModelFolderOptions: ParsableArguments {
    @Option(name: .customLong("segmentation-model"),
            help: "Segmentation model folder (plans.json + model.safetensors, or an nnU-Net v2 results folder); default $NEOICH_MODELS/segmentation or Models/segmentation.")
    var segmentationModel: String?

    @Option(name: .customLong("classifier-model"),
            help: "Classifier folder (model.json + model.safetensors); default $NEOICH_MODELS/classifier or Models/classifier.")
    var classifierModel: String?

    @OptionGroup var nnUNet: NNUNetFoldOptions

    var locations: ModelLocations {
        var locations = ModelLocations.resolve(segmentation: segmentationModel, classifier: classifierModel)
        locations.nnUNetSelection = nnUNet.selection
        return locations
    }
}

/// `--folds` and `--checkpoint` for a segmentation model that is an nnU-Net v2 results folder.
struct NNUNetFoldOptions: ParsableArguments {
    @Option(help: "nnU-Net results folder: folds to ensemble, e.g. 0,1,2 or all (default: every fold_N present, as nnU-Net).")
    var folds: String?

    @Option(help: "nnU-Net results folder: checkpoint_final.pth (final) or checkpoint_best.pth (best).")
    var checkpoint: String = NNUNetModelSelection.Checkpoint.final.rawValue

    func validate() throws {
        if let folds, NNUNetModelSelection.parseFolds(folds) == nil {
            throw ValidationError("--folds must be a comma-separated list of fold numbers (or all), got '\(folds)'")
        }
        guard NNUNetModelSelection.Checkpoint(rawValue: checkpoint) != nil else {
            throw ValidationError("--checkpoint must be final or best, got '\(checkpoint)'")
        }
    }

    var selection: NNUNetModelSelection {
        NNUNetModelSelection(folds: folds.flatMap(NNUNetModelSelection.parseFolds),
                             checkpoint: NNUNetModelSelection.Checkpoint(rawValue: checkpoint) ?? .final)
    }
}

/// `neoich predict CT -o OUT` and `neoich predict --cohort DIR -o OUT`: the end-to-end pipeline.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Segment ICH and PHE, measure them and classify the bleed (neoplastic vs non-neoplastic).",
        discussion: """
            One case: writes OUT/labels.nii.gz (on the input's grid), OUT/report.json and overlay PNGs; \
            with --dicom and a DICOM input also OUT/seg.dcm, a DICOM Segmentation (ICH, PHE) over the source series, \
            OUT/sr.dcm, a DICOM measurement report (TID 1500) about it, and OUT/montage.dcm, the overlay montage \
            as a Secondary Capture image.
            --cohort DIR: every scan of DIR (or of its imagesTs/ and imagesTr/) into OUT/CASE/ plus \
            OUT/predictions.csv; finished cases (with report.json) are skipped, so an interrupted run resumes.
            """)

    @Argument(help: "CT: .nii/.nii.gz, a DICOM folder or a .zip of DICOM files (omit with --cohort).")
    var ct: String?

    @Option(help: "A folder of scans to predict one after the other.")
    var cohort: String?

    @Option(name: .shortAndLong, help: "Output folder.")
    var output: String

    @OptionGroup var models: ModelFolderOptions

    @Flag(inversion: .prefixedNo, help: "Average the 8 mirrored predictions per tile (nnU-Net default).")
    var mirroring = true

    @Flag(help: "DICOM input: also write OUT/seg.dcm (Segmentation), OUT/sr.dcm (measurement report) and OUT/montage.dcm (overlay montage) in the source study.")
    var dicom = false

    /// The DICOM objects' names inside the output folder.
    static let segmentationFileName = "seg.dcm"
    static let measurementReportFileName = "sr.dcm"
    static let montageFileName = "montage.dcm"

    func validate() throws {
        guard (ct == nil) != (cohort == nil) else { throw ValidationError("give either a CT or --cohort DIR") }
        if dicom, let ct, ct.lowercased().hasSuffix(".nii") || ct.lowercased().hasSuffix(".nii.gz") {
            throw ValidationError("--dicom needs a DICOM folder or .zip, not a NIfTI file")
        }
        if dicom, cohort != nil { throw ValidationError("--dicom works on one DICOM case, not with --cohort") }
    }

    func run() throws {
        try NeoICH.prepareEngine()
        let out = URL(fileURLWithPath: output)
        try OutputFolder.prepare(out)
        if let ct, !FileManager.default.fileExists(atPath: ct) { throw ImagingError.fileNotFound(file: ct) }
        let loaded = try PipelineModels.load(models.locations)
        let predictor = CasePredictor(models: loaded, segmentation: PredictionConfiguration(mirroring: mirroring),
                                      neoichVersion: NeoICH.version)
        if let cohort {
            let summary = try CohortPrediction(predictor: predictor).run(URL(fileURLWithPath: cohort), output: out)
            print("\(summary.predicted.count) predicted (\(summary.stale.count) again: input or models changed), "
                  + "\(summary.skipped.count) already done, \(summary.failed.count) failed → \(summary.table.path)")
            for (id, message) in summary.failed.sorted(by: { $0.key < $1.key }) { print("  \(id): \(message)") }
            if !summary.failed.isEmpty { throw ExitCode(1) }
            return
        }
        guard let ct else { return }
        let progress: (PipelineStage) -> Void = { stage in FileHandle.standardError.write(Data("\(stage.rawValue)…\n".utf8)) }
        let input = URL(fileURLWithPath: ct)
        guard dicom else {
            print(Self.summary(try predictor.predict(input, output: out, progress: progress).report, folder: out))
            return
        }
        // The series is read once: the volume for the models, the headers for the Segmentation.
        progress(.read)
        let series = try DICOMSeriesImport.read(input)
        let result = try predictor.predict(image: series.imported.volume, file: input.path, format: "dicom",
                                           caseID: CTSource.caseID(of: input), output: out,
                                           digest: try FileDigest.of(input), progress: progress)
        let segmentation = out.appendingPathComponent(Self.segmentationFileName)
        let measurements = out.appendingPathComponent(Self.measurementReportFileName)
        let creator = DICOMSegmentationWriter.Creator(algorithmVersion: NeoICH.version)
        try DICOMSegmentationWriter.write(result.labels, source: series.source, creator: creator, to: segmentation)
        try DICOMMeasurementReportWriter.write(MeasurementReportContent(result.report), source: series.source,
                                               segmentation: segmentation, creator: creator, to: measurements)
        let montage = out.appendingPathComponent(Self.montageFileName)
        let rendering = try RGBAImage.readPNG(out.appendingPathComponent(result.report.files.overlayMontage))
        try DICOMSecondaryCaptureWriter.write(rendering, source: series.source, creator: creator,
                                              description: "NeoICH ICH/PHE overlay montage (research use only)", to: montage)
        var report = result.report
        report.files.dicom = [Self.segmentationFileName, Self.measurementReportFileName, Self.montageFileName]
        try CasePredictor.writeReport(report, to: out)
        print(Self.summary(report, folder: out))
        print("→ \(segmentation.path) (DICOM Segmentation over series \(series.source.seriesInstanceUID))")
        print("→ \(measurements.path) (DICOM measurement report)")
        print("→ \(montage.path) (overlay montage, DICOM Secondary Capture)")
    }

    /// A few lines for the terminal.
    static func summary(_ report: PredictionReport, folder: URL) -> String {
        func f(_ v: Double?) -> String { v.map { String(format: "%.2f", $0) } ?? "–" }
        var lines = ["\(report.caseID): ICH \(f(report.total.ich.volumeML)) mL (mean \(f(report.total.ich.meanHU)) HU), "
                     + "PHE \(f(report.total.phe.volumeML)) mL, \(report.lesions.count) lesion(s)"]
        lines.append(report.classification?.certainty.wording ?? "No ICH found; nothing to classify.")
        for warning in report.warnings ?? [] { lines.append("warning: \(warning)") }
        lines.append("timings: " + report.timings.map { "\($0.stage.rawValue) \(String(format: "%.2f", $0.seconds)) s" }.joined(separator: ", "))
        lines.append("→ \(folder.appendingPathComponent(CasePredictor.reportFileName).path)")
        lines.append(report.notice)
        return lines.joined(separator: "\n")
    }
}
