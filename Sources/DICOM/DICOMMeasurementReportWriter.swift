import CDCMTK
import Foundation

/// Writes NeoICH's measurements as a DICOM Comprehensive 3D SR holding a TID 1500 Imaging Measurement Report,
/// through DCMTK's dcmsr, in the source study, with the segmentation as evidence.
///
/// Content: one volumetric ROI group (TID 1411) per segment of the segmentation ("ICH (all lesions)" →
/// segment 1, "PHE (all lesions)" → segment 2) with volume, mean and median attenuation (HU), and for ICH the
/// ABC/2 volume and the PHE/ICH ratio; one individual group (TID 1501) per lesion for its hemorrhage (volume,
/// densities, ABC/2, ratio, P(neoplastic), threshold, decision) and one for its edema; and report-level
/// evaluations: the decision, each model, NeoICH's version and the research-use notice. Standard codes where
/// DICOM has them (SNOMED CT Volume, DCM Attenuation Coefficient with Mean/Median, UCUM units); NeoICH's own
/// quantities (ABC/2, ratio, probability, threshold, decision) use the private coding scheme "99NEOICH".
public enum DICOMMeasurementReportWriter {
    static let volume = CodedConcept("118565006", "SCT", "Volume")
    static let attenuation = CodedConcept("112031", "DCM", "Attenuation Coefficient")
    static let milliliter = CodedConcept("ml", "UCUM", "milliliter")
    static let hounsfield = CodedConcept("[hnsf'U]", "UCUM", "Hounsfield unit")
    static let noUnits = CodedConcept("1", "UCUM", "no units")
    static let abcOver2 = CodedConcept("ABC2", "99NEOICH", "Hematoma volume by ABC/2")
    static let ratio = CodedConcept("PHEICHRATIO", "99NEOICH", "Perihematomal edema to hemorrhage volume ratio")
    static let probability = CodedConcept("PNEOPLASTIC", "99NEOICH", "Probability of neoplastic hemorrhage")
    static let threshold = CodedConcept("THRESHOLD", "99NEOICH", "Neoplastic hemorrhage decision threshold")
    static let decision = CodedConcept("DECISION", "99NEOICH", "Neoplastic hemorrhage decision")
    static let algorithmName = CodedConcept("111001", "DCM", "Algorithm Name")
    static let algorithmVersion = CodedConcept("111003", "DCM", "Algorithm Version")
    static let comment = CodedConcept("121106", "DCM", "Comment")

    /// Writes the report for `segmentation` (a file written by `DICOMSegmentationWriter` for `source`).
    ///
    /// - Returns: the SOP Instance UID of the report.
    /// - Throws: `DICOMError.toolkit` with DCMTK's message.
    @discardableResult
    public static func write(_ content: MeasurementReportContent, source: DICOMSourceSeries, segmentation: URL,
                             creator: DICOMSegmentationWriter.Creator, to url: URL) throws -> String {
        let header = try DICOMSegmentationWriter.sourceHeader(source)
        var report: OpaquePointer?
        let strings = [creator.manufacturer, "NeoICH", creator.algorithmVersion, "0", "NeoICH measurements (research use only)",
                       String(creator.seriesNumber + 1), "1", "", "", ""]
        try withCStrings(strings) { s in
            var info = cd_segmentation_info(
                manufacturer: s[0], model_name: s[1], software_versions: s[2], device_serial_number: s[3],
                series_description: s[4], series_number: s[5], instance_number: s[6], content_label: s[7],
                content_description: s[8], content_creator: s[9])
            try check(cd_report_create(header.pointer, segmentation.path, &info, &report), "creating the report")
        }
        guard let report else { throw DICOMError.toolkit(operation: "creating the report", message: "no object") }
        defer { cd_report_free(report) }
        let writer = Writer(report: report)

        let ich = SegmentDefinition.ich, phe = SegmentDefinition.phe
        try writer.segmentGroup("ICH (all lesions)", finding: ich.type, segment: 1, series: source.seriesInstanceUID)
        try writer.region(content.ich)
        try writer.measure(abcOver2, content.ichABCOver2ML, milliliter)
        try writer.measure(ratio, content.pheToICHRatio, noUnits)
        try writer.segmentGroup("PHE (all lesions)", finding: phe.type, segment: 2, series: source.seriesInstanceUID)
        try writer.region(content.phe)
        for lesion in content.lesions {
            try writer.group("ICH lesion \(lesion.id)", finding: ich.type)
            try writer.region(lesion.ich)
            try writer.measure(abcOver2, lesion.abcOver2ML, milliliter)
            try writer.measure(ratio, lesion.pheToICHRatio, noUnits)
            if let c = lesion.classification {
                try writer.measure(probability, c.probability, noUnits)
                try writer.measure(threshold, c.threshold, noUnits)
                try writer.text(decision, c.decision, inGroup: true)
            }
            try writer.group("PHE of ICH lesion \(lesion.id)", finding: phe.type)
            try writer.region(lesion.phe)
        }
        if let c = content.classification { try writer.text(decision, "\(c.decision): \(c.wording)", inGroup: false) }
        for model in content.models { try writer.text(algorithmName, model, inGroup: false) }
        try writer.text(algorithmVersion, "NeoICH \(creator.algorithmVersion)", inGroup: false)
        try writer.text(comment, content.notice, inGroup: false)

        var buffer = [CChar](repeating: 0, count: 128)
        var needed: Int64 = 0
        try check(cd_report_save(report, url.path, &buffer, Int64(buffer.count), &needed), "writing \(url.path)")
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Adds groups and items to one report.
    private struct Writer {
        let report: OpaquePointer

        func segmentGroup(_ tracking: String, finding: CodedConcept, segment: UInt16, series: String) throws {
            try withCode(finding) { code in
                try check(cd_report_add_segment_group(report, tracking, code, segment, series), "measurement group \(tracking)")
            }
        }

        func group(_ tracking: String, finding: CodedConcept) throws {
            try withCode(finding) { code in try check(cd_report_add_group(report, tracking, code), "measurement group \(tracking)") }
        }

        func region(_ region: MeasurementReportContent.Region) throws {
            try measure(volume, region.volumeML, milliliter)
            try measure(attenuation, region.meanHU, hounsfield, CD_DERIVATION_MEAN)
            try measure(attenuation, region.medianHU, hounsfield, CD_DERIVATION_MEDIAN)
        }

        func measure(_ concept: CodedConcept, _ value: Double?, _ unit: CodedConcept,
                     _ derivation: cd_derivation = CD_DERIVATION_NONE) throws {
            guard let value, value.isFinite else { return }
            try withCode(concept) { name in
                try withCode(unit) { units in
                    try check(cd_report_add_measurement(report, name, value, units, derivation), "measurement \(concept.meaning)")
                }
            }
        }

        func text(_ concept: CodedConcept, _ value: String, inGroup: Bool) throws {
            try withCode(concept) { name in
                try check(cd_report_add_text(report, inGroup ? 1 : 0, name, value), "evaluation \(concept.meaning)")
            }
        }
    }

    /// Runs `body` with a C view of `concept`, valid during the call.
    static func withCode<R>(_ concept: CodedConcept, _ body: (cd_code) throws -> R) rethrows -> R {
        try withCStrings([concept.value, concept.scheme, concept.meaning]) { s in
            try body(cd_code(value: s[0], scheme: s[1], meaning: s[2]))
        }
    }
}

/// Runs `body` with C copies of `strings`, valid during the call.
func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>]) throws -> R) rethrows -> R {
    let copies = strings.map { strdup($0)! }
    defer { copies.forEach { free($0) } }
    return try body(copies.map { UnsafePointer($0) })
}
