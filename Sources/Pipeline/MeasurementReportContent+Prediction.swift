import DICOM
import Imaging

extension MeasurementReportContent {
    /// The DICOM measurement report's content for a prediction report.
    init(_ report: PredictionReport) {
        func region(_ r: RegionStatistics) -> Region { Region(volumeML: r.volumeML, meanHU: r.meanHU, medianHU: r.medianHU) }
        func classification(_ c: LesionClassification?) -> Classification? {
            c.map { Classification(probability: $0.probability, threshold: $0.threshold, decision: $0.decision, wording: $0.certainty.wording) }
        }
        self.init(
            ich: region(report.total.ich), phe: region(report.total.phe), ichABCOver2ML: report.total.ichABCOver2?.volumeML,
            pheToICHRatio: report.total.pheToICHRatio,
            lesions: report.lesions.map { lesion in
                Lesion(id: lesion.id, ich: region(lesion.ich), phe: region(lesion.phe), abcOver2ML: lesion.abcOver2?.volumeML,
                       pheToICHRatio: lesion.pheToICHRatio, classification: classification(lesion.classification))
            },
            classification: classification(report.classification),
            models: ["segmentation: \(report.models.segmentation)", "classifier: \(report.models.classifier)"],
            notice: report.notice)
    }
}
