import Classification
import Foundation
import Imaging
import NN
import Segmentation

/// The outcome of one case: the report plus what a viewer needs (scan, label map, lesion crops).
public struct CasePrediction: Sendable {
    public var report: PredictionReport
    /// The scan in HU, as stored (the grid of `report.input` and of the report's slice indices).
    public var image: Volume<Float>
    /// The predicted label map on the scan's grid (as written to `labels.nii.gz`).
    public var labels: LabelMap
    /// The classifier inputs, largest lesion first (for explanations).
    public var crops: [LesionCrop]
}

/// Runs one CT through the whole pipeline (001_… §2.4): read → plausibility check → segment → lesions and
/// volumetry → masked crop per ICH lesion → classify → write the label map, montages and `report.json`.
///
/// The models see every scan in the orientation they were trained in, whatever its storage order: the
/// segmentation in its plans' orientation (inside `SlidingWindowPredictor`), the measurements, crops and
/// classification in the classifier card's (`Reorientation`: axis permutations and flips, exact). The label
/// map is written on the input's own grid, and the report's slice indices refer to the input's z axis
/// (`SliceIndexMap`); the overlay images show axial slices in the classifier's orientation.
public struct CasePredictor: Sendable {
    /// Default output names inside a case folder.
    public static let labelsFileName = "labels.nii.gz"
    public static let reportFileName = "report.json"
    public static let montageFileName = "overlay_montage.png"
    public static let primarySliceFileName = "overlay_primary.png"

    public let models: PipelineModels
    /// Sliding-window settings (nnU-Net defaults: mirroring on).
    public var segmentation: PredictionConfiguration
    /// Written into every report.
    public var neoichVersion: String

    /// Rewrites a case folder's `report.json` (atomically), e.g. after more files were written next to it.
    public static func writeReport(_ report: PredictionReport, to folder: URL) throws {
        try CaseOutputWriter.writeReport(report, to: folder)
    }

    public init(models: PipelineModels, segmentation: PredictionConfiguration = PredictionConfiguration(),
                neoichVersion: String = "0.1.0") {
        self.models = models
        self.segmentation = segmentation
        self.neoichVersion = neoichVersion
    }

    /// Predicts on a CT file or DICOM folder/zip and writes the case folder.
    ///
    /// - Parameters:
    ///   - input: NIfTI file, DICOM folder or .zip.
    ///   - output: the case folder (created if needed).
    ///   - caseID: defaults to the input's name.
    ///   - progress: called as each stage starts.
    /// - Returns: the report and the arrays behind it.
    /// - Throws: `PipelineError` or `ImagingError` naming the input.
    public func predict(_ input: URL, output: URL, caseID: String? = nil,
                        progress: (PipelineStage) -> Void = { _ in }) throws -> CasePrediction {
        try OutputFolder.prepare(output)
        var clock = StageClock()
        progress(.read)
        let (image, format) = try clock.run(.read) { try CTSource.read(input) }
        let digest = try FileDigest.of(input)
        return try predict(image: image, file: input.path, format: format, caseID: caseID ?? CTSource.caseID(of: input),
                           output: output, clock: clock, digest: digest, progress: progress)
    }

    /// Predicts on a scan already in memory and writes the case folder.
    ///
    /// - Parameter digest: the input file's digest for `report.json`, when the scan was read from one.
    /// - Throws: as `predict(_:output:caseID:progress:)`.
    public func predict(image: Volume<Float>, file: String, format: String, caseID: String, output: URL,
                        digest: FileDigest? = nil, progress: (PipelineStage) -> Void = { _ in }) throws -> CasePrediction {
        try OutputFolder.prepare(output)
        return try predict(image: image, file: file, format: format, caseID: caseID, output: output, clock: StageClock(),
                           digest: digest, progress: progress)
    }

    private func predict(image: Volume<Float>, file: String, format: String, caseID: String, output: URL,
                         clock: StageClock, digest: FileDigest?, progress: (PipelineStage) -> Void) throws -> CasePrediction {
        var clock = clock
        // Refuses what cannot be a head CT in HU; the rest of the findings go into the report.
        var warnings = try HeadCTPlausibility(image).warnings(file: file)
        if let fallback = image.geometry.affineFallback { warnings.insert(fallback, at: 0) }
        progress(.segment)
        let labels = try clock.run(.segment) {
            try stage(.segment, file) {
                try models.segmentation.segment(image, id: caseID, configuration: segmentation).labels
            }
        }
        progress(.measure)
        // Lesions are measured, cropped and classified in the classifier's training orientation, so that
        // their numbering, ABC/2 slices and crops do not depend on how the file stores the scan.
        let classifierOrientation = models.classifier.card.trainingOrientation
        let (toModel, scan, modelLabels, volumetry, components, headCentroid) = try clock.run(.measure) {
            try stage(.measure, file) {
                let toModel = try Reorientation(from: image.geometry, to: classifierOrientation)
                let scan = toModel.apply(image), modelLabels = toModel.apply(labels)
                return (toModel, scan, modelLabels, try Volumetry.measure(image: scan, labels: modelLabels),
                        ConnectedComponents.label(modelLabels, value: LesionLabel.ich.rawValue),
                        LesionLocation.headCentroid(of: scan))
            }
        }
        progress(.classify)
        let (crops, classifications) = try clock.run(.classify) {
            try stage(.classify, file) { try classify(image: scan, labels: modelLabels) }
        }
        let slices = SliceIndexMap(toModel)
        let sliceRanges = slices.inputSliceRanges(of: components)
        let lesions = volumetry.lesions.map { lesion -> LesionReport in
            LesionReport(
                id: lesion.id, isPrimary: lesion.isLargest, ich: lesion.ich, phe: lesion.phe,
                abcOver2: slices.onInput(lesion.abcOver2), pheToICHRatio: lesion.pheToICHRatio,
                centroidWorldMM: lesion.centroidWorldMM,
                location: LesionLocation(lesionCentroid: lesion.centroidWorldMM, headCentroid: headCentroid),
                sliceRange: sliceRanges[lesion.id] ?? [], classification: classifications[lesion.id])
        }
        let primary = lesions.first { $0.isPrimary }
        let range = image.range
        var report = PredictionReport(
            schemaVersion: PredictionReport.currentSchemaVersion, neoichVersion: neoichVersion, caseID: caseID,
            input: .init(file: file, format: format, shape: image.shape.array, spacingMM: image.spacingMM.array,
                         affine: image.geometry.affine.rows, orientation: image.geometry.orientationCode,
                         segmentationOrientation: models.segmentation.plans.trainingOrientation,
                         classificationOrientation: classifierOrientation,
                         minimumHU: range.map { Double($0.min) } ?? 0, maximumHU: range.map { Double($0.max) } ?? 0,
                         digest: digest),
            total: .init(ich: volumetry.ich, phe: volumetry.phe, ichABCOver2: slices.onInput(volumetry.ichABCOver2),
                         pheToICHRatio: volumetry.pheToICHRatio, unassignedPHEVolumeML: volumetry.unassignedPHEVolumeML),
            lesions: lesions, primaryLesionID: primary?.id, classification: primary?.classification,
            models: models.identifiers, timings: [],
            files: .init(labels: Self.labelsFileName, overlayMontage: Self.montageFileName,
                         primarySlice: primary == nil ? nil : Self.primarySliceFileName),
            notice: models.identifiers.classifierNotice, warnings: warnings)
        progress(.write)
        try clock.run(.write) {
            let primaryLesion = volumetry.lesions.first { $0.isLargest }
            let primarySlice = primaryLesion.flatMap { lesion in
                lesion.abcOver2?.slice ?? components.components.first { $0.id == lesion.id }?.boundingBoxMin.z
            }
            try CaseOutputWriter.write(image: scan, labels: modelLabels, primarySlice: primarySlice, inputLabels: labels,
                                       report: report, to: output)
        }
        report.timings = clock.timings
        try CaseOutputWriter.writeReport(report, to: output)
        return CasePrediction(report: report, image: image, labels: labels, crops: crops)
    }

    /// One crop per lesion and P(neoplastic) for each, keyed by lesion id; one forward at a time.
    private func classify(image: Volume<Float>, labels: LabelMap) throws -> ([LesionCrop], [Int: LesionClassification]) {
        let card = models.classifier.card
        try models.classifier.network.move(to: segmentation.device)
        let crops = try LesionCropper.crops(image: image, labels: labels,
                                            configuration: LesionCropConfiguration(size: card.cropSize))
        var results: [Int: LesionClassification] = [:]
        for crop in crops {
            let input = try card.normalization.input(for: crop).unsqueezed(0)
            guard let probability = try models.classifier.probabilities(input, precision: segmentation.precision).first else { continue }
            results[crop.lesion.id] = LesionClassification(probability: probability, threshold: card.threshold)
        }
        return (crops, results)
    }

    /// Wraps errors other than NeoICH's typed ones so the message names the stage and the file.
    private func stage<T>(_ stage: PipelineStage, _ file: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as ImagingError { throw error } catch let error as PipelineError { throw error } catch {
            throw PipelineError.stageFailed(stage: stage, file: file, detail: "\(error)")
        }
    }
}
