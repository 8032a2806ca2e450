import DICOM
import Foundation
import Imaging

/// A case predicted from a DICOM series, with its results as DICOM objects in the source study: `seg.dcm`
/// (binary Segmentation of ICH and PHE), `sr.dcm` (TID 1500 measurement report referencing its segments)
/// and `montage.dcm` (the overlay montage as an RGB Secondary Capture), listed in report.json's
/// `files.dicom`.
///
/// One code path for `neoich predict --dicom`, the cohort run and `neoich watch`.
public enum DICOMCaseResults {
    public static let segmentationFileName = "seg.dcm"
    public static let measurementReportFileName = "sr.dcm"
    public static let montageFileName = "montage.dcm"
    /// The objects in the order they are written (and uploaded): the report references the segmentation.
    public static let fileNames = [segmentationFileName, measurementReportFileName, montageFileName]

    /// The prediction and the series it was made on.
    public struct Outcome: Sendable {
        public var prediction: CasePrediction
        public var series: DICOMSourceSeries
        /// `fileNames` inside the case folder.
        public var files: [URL]
    }

    /// Reads a DICOM folder or .zip once (the volume for the models, the headers for the objects), predicts,
    /// and writes the case folder with the three DICOM objects.
    ///
    /// - Parameters:
    ///   - input: a DICOM folder or .zip; its CT series is chosen as `DICOMSeriesSelection` says.
    ///   - caseID: defaults to the input's name.
    ///   - progress: called as each stage starts.
    /// - Throws: `ImagingError` (no CT series, unreadable files), `DICOMError` (inconsistent series, failed
    ///   writes), `PipelineError`, each naming the input or the file.
    public static func predict(_ input: URL, predictor: CasePredictor, output: URL, caseID: String? = nil,
                               progress: (PipelineStage) -> Void = { _ in }) throws -> Outcome {
        try OutputFolder.prepare(output)
        progress(.read)
        let series = try DICOMSeriesImport.read(input)
        let prediction = try predictor.predict(image: series.imported.volume, file: input.path, format: "dicom",
                                               caseID: caseID ?? CTSource.caseID(of: input), output: output,
                                               digest: try FileDigest.of(input), progress: progress)
        var outcome = Outcome(prediction: prediction, series: series.source, files: [])
        (outcome.prediction.report, outcome.files) = try writeObjects(prediction, source: series.source,
                                                                      version: predictor.neoichVersion, to: output)
        return outcome
    }

    /// Writes the three objects of a prediction made on `source` into its case folder and lists them in
    /// report.json (rewritten).
    ///
    /// - Returns: the updated report and the files, in `fileNames` order.
    /// - Throws: as `write`; report.json is rewritten only when all three were written.
    public static func writeObjects(_ prediction: CasePrediction, source: DICOMSourceSeries, version: String,
                                    to folder: URL) throws -> (report: PredictionReport, files: [URL]) {
        let files = try write(prediction, source: source, version: version, to: folder)
        var report = prediction.report
        report.files.dicom = fileNames
        try CasePredictor.writeReport(report, to: folder)
        return (report, files)
    }

    /// Reads a CT as `CTSource.read` does, and for a DICOM folder or .zip also the headers of the series
    /// used, when they tie to the volume's slices (`nil` otherwise: such a scan is still predicted, without
    /// DICOM objects).
    ///
    /// - Throws: as `CTSource.read`.
    public static func readScan(_ input: URL) throws -> (volume: Volume<Float>, format: String, source: DICOMSourceSeries?) {
        var isFolder: ObjCBool = false
        let isDICOM = input.pathExtension.lowercased() == "zip"
            || (FileManager.default.fileExists(atPath: input.path, isDirectory: &isFolder) && isFolder.boolValue)
        if isDICOM {
            do {
                let series = try DICOMSeriesImport.read(input)
                return (series.imported.volume, "dicom", series.source)
            } catch is DICOMError {}
        }
        let (volume, format) = try CTSource.read(input)
        return (volume, format, nil)
    }

    /// Writes the three objects of a prediction made on `source` into `folder`.
    ///
    /// - Returns: the files, in `fileNames` order.
    /// - Throws: `DICOMError` naming the object; `ImagingError` when the montage PNG cannot be read.
    static func write(_ prediction: CasePrediction, source: DICOMSourceSeries, version: String, to folder: URL) throws -> [URL] {
        let segmentation = folder.appendingPathComponent(segmentationFileName)
        let measurements = folder.appendingPathComponent(measurementReportFileName)
        let montage = folder.appendingPathComponent(montageFileName)
        let creator = DICOMSegmentationWriter.Creator(algorithmVersion: version)
        try DICOMSegmentationWriter.write(prediction.labels, source: source, creator: creator, to: segmentation)
        try DICOMMeasurementReportWriter.write(MeasurementReportContent(prediction.report), source: source,
                                               segmentation: segmentation, creator: creator, to: measurements)
        let rendering = try RGBAImage.readPNG(folder.appendingPathComponent(prediction.report.files.overlayMontage))
        try DICOMSecondaryCaptureWriter.write(rendering, source: source, creator: creator,
                                              description: "NeoICH ICH/PHE overlay montage (research use only)", to: montage)
        return [segmentation, measurements, montage]
    }
}
