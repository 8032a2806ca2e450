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
            OUT/predictions.csv; finished cases (with report.json) are skipped, so an interrupted run resumes. \
            With --dicom, sub-folders of DIR are DICOM cases too, and every DICOM case (folder or .zip) also gets \
            OUT/CASE/seg.dcm, sr.dcm and montage.dcm.
            --shard i/n predicts only the cases of shard i (one job of an array, each with its own OUT); \
            `neoich merge -o OUT SHARD_OUT…` joins them into what one run writes.
            """)

    @Argument(help: "CT: .nii/.nii.gz, a DICOM folder or a .zip of DICOM files (omit with --cohort).")
    var ct: String?

    @Option(help: "A folder of scans to predict one after the other.")
    var cohort: String?

    @Option(name: .shortAndLong, help: "Output folder.")
    var output: String

    @Option(help: "With --cohort: only shard i of n (0 ≤ i < n; a case's shard is a hash of its id), for a job array; join the shards' folders with `neoich merge`.")
    var shard: String?

    @OptionGroup var models: ModelFolderOptions

    @Flag(inversion: .prefixedNo, help: "Average the 8 mirrored predictions per tile (nnU-Net default).")
    var mirroring = true

    @OptionGroup var inference: InferenceDeviceOptions

    @Flag(help: "DICOM input: also write OUT/seg.dcm (Segmentation), OUT/sr.dcm (measurement report) and OUT/montage.dcm (overlay montage) in the source study; with --cohort, for each DICOM case.")
    var dicom = false

    func validate() throws {
        guard (ct == nil) != (cohort == nil) else { throw ValidationError("give either a CT or --cohort DIR") }
        if dicom, let ct, ct.lowercased().hasSuffix(".nii") || ct.lowercased().hasSuffix(".nii.gz") {
            throw ValidationError("--dicom needs a DICOM folder or .zip, not a NIfTI file")
        }
        if let shard {
            guard cohort != nil else { throw ValidationError("--shard works with --cohort") }
            do { _ = try CohortShard(parsing: shard) } catch { throw ValidationError("\(error)") }
        }
    }

    func run() throws {
        try NeoICH.prepareEngine()
        let (device, precision) = try inference.resolve()
        let out = URL(fileURLWithPath: output)
        try OutputFolder.prepare(out)
        if let ct, !FileManager.default.fileExists(atPath: ct) { throw ImagingError.fileNotFound(file: ct) }
        let loaded = try PipelineModels.load(models.locations)
        try loaded.move(to: device)
        let predictor = CasePredictor(models: loaded, segmentation: PredictionConfiguration(mirroring: mirroring, device: device,
                                                                                            precision: precision),
                                      neoichVersion: NeoICH.version)
        if let cohort {
            let summary = try CohortPrediction(predictor: predictor, dicom: dicom).run(URL(fileURLWithPath: cohort), output: out,
                                                                                       shard: try shard.map(CohortShard.init(parsing:)))
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
        let outcome = try DICOMCaseResults.predict(input, predictor: predictor, output: out, progress: progress)
        let report = outcome.prediction.report
        print(Self.summary(report, folder: out))
        let (segmentation, measurements, montage) = (outcome.files[0], outcome.files[1], outcome.files[2])
        print("→ \(segmentation.path) (DICOM Segmentation over series \(outcome.series.seriesInstanceUID))")
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
