import Foundation
@testable import DICOM
import Imaging
import TestSupport
import Testing

/// The TID 1500 measurement report written next to a segmentation.
@Suite(.enabled(if: dcm2niixInstalled, "needs dcm2niix (scripts/install-deps)"))
struct DICOMMeasurementReportTests {
    static let content = MeasurementReportContent(
        ich: .init(volumeML: 12.5, meanHU: 61.25, medianHU: 62), phe: .init(volumeML: 20.75, meanHU: 21.5, medianHU: 22),
        ichABCOver2ML: 11.75, pheToICHRatio: 1.66,
        lesions: [
            .init(id: 1, ich: .init(volumeML: 10, meanHU: 63, medianHU: 64), phe: .init(volumeML: 18, meanHU: 21, medianHU: 21.5),
                  abcOver2ML: 9.5, pheToICHRatio: 1.8,
                  classification: .init(probability: 0.61, threshold: 0.69, decision: "non-neoplastic", wording: "Uncertain.")),
            .init(id: 2, ich: .init(volumeML: 2.5, meanHU: 55, medianHU: nil), phe: .init(volumeML: 2.75, meanHU: nil, medianHU: nil),
                  abcOver2ML: nil, pheToICHRatio: 1.1, classification: nil),
        ],
        classification: .init(probability: 0.61, threshold: 0.69, decision: "non-neoplastic", wording: "Uncertain."),
        models: ["segmentation: demo-unet 1.0", "classifier: demo-resnet 1.0"],
        notice: "Research use only; not for clinical use.")

    /// One content item of the SR tree with the group (TID 1411/1501 container) it sits in.
    struct Item {
        var group: Int
        var code: String
        var value: String?
        var text: String?
        var derivation: String?
        var referencedSegment: String?
        var referencedInstance: String?
    }

    /// The items of the report's measurement groups, in document order (group −1: report level).
    static func items(_ sr: DICOMDataset) throws -> [Item] {
        var out: [Item] = []
        var groupCounter = -1
        func walk(_ path: String, group: Int) throws {
            let count = try sr.count(path.isEmpty ? "ContentSequence" : "\(path).ContentSequence")
            for i in 0..<count {
                let item = (path.isEmpty ? "" : "\(path).") + "ContentSequence[\(i)]"
                let code = try sr.string("\(item).ConceptNameCodeSequence[0].CodeValue") ?? ""
                var inGroup = group
                if code == "125007" { groupCounter += 1; inGroup = groupCounter }  // Measurement Group
                out.append(Item(
                    group: inGroup, code: code,
                    value: try sr.string("\(item).MeasuredValueSequence[0].NumericValue"),
                    text: try sr.string("\(item).TextValue"),
                    derivation: nil,
                    referencedSegment: try sr.string("\(item).ReferencedSOPSequence[0].ReferencedSegmentNumber"),
                    referencedInstance: try sr.string("\(item).ReferencedSOPSequence[0].ReferencedSOPInstanceUID")))
                let modifiers = try sr.count("\(item).ContentSequence")
                for m in 0..<modifiers where try sr.string("\(item).ContentSequence[\(m)].ConceptNameCodeSequence[0].CodeValue") == "121401" {
                    out[out.count - 1].derivation = try sr.string("\(item).ContentSequence[\(m)].ConceptCodeSequence[0].CodeMeaning")
                }
                try walk(item, group: inGroup)
            }
        }
        try walk("", group: -1)
        return out
    }

    /// A segmentation of the synthetic series and the report about it.
    static func written() throws -> (DICOMSegmentationTests.Written, URL, String) {
        let written = try DICOMSegmentationTests.Written(.headFirst)
        let url = written.directory.file("sr.dcm")
        let uid = try DICOMMeasurementReportWriter.write(content, source: written.read.source, segmentation: written.seg,
                                                         creator: .init(algorithmVersion: "9.8.7"), to: url)
        return (written, url, uid)
    }

    @Test(.enabled(if: Dciodvfy.isInstalled, Comment(rawValue: Dciodvfy.missing)))
    func dciodvfyReportsNoErrors() throws {
        let (written, url, _) = try Self.written()
        let (errors, output) = try Dciodvfy.check(url)
        #expect(errors.isEmpty, "dciodvfy:\n\(output)")
        #expect(output.contains("Comprehensive3DSR"), "dciodvfy:\n\(output)")
        withExtendedLifetime(written) {}  // the folder holding both files lives until dciodvfy has run
    }

    @Test func measurementsReferenceTheSegments() throws {
        let (written, url, uid) = try Self.written()
        let sr = try DICOMDataset(reading: url.path)
        let seg = try DICOMDataset(reading: written.seg.path)
        #expect(try sr.string("SOPInstanceUID") == uid)
        #expect(try sr.string("SOPClassUID") == "1.2.840.10008.5.1.4.1.1.88.34")  // Comprehensive 3D SR
        #expect(try sr.string("ContentTemplateSequence[0].TemplateIdentifier") == "1500")
        #expect(try sr.string("PatientID") == "NEOICH-0001" && sr.string("StudyInstanceUID") == written.series.studyUID)
        #expect(try sr.string("AccessionNumber") == "ACC42" && sr.string("StudyDate") == "20260102")
        #expect(try sr.string("CurrentRequestedProcedureEvidenceSequence[0].ReferencedSeriesSequence[0].ReferencedSOPSequence[0].ReferencedSOPInstanceUID")
                == seg.string("SOPInstanceUID"))

        let items = try Self.items(sr)
        let segUID = try seg.string("SOPInstanceUID")
        func group(_ tracking: String) -> [Item] {
            guard let g = items.first(where: { $0.code == "112039" && $0.text == tracking })?.group else { return [] }
            return items.filter { $0.group == g }
        }
        func value(_ items: [Item], _ code: String, derivation: String? = nil) -> Double? {
            items.first { $0.code == code && $0.derivation == derivation && $0.value != nil }.flatMap { $0.value.flatMap(Double.init) }
        }
        let ich = group("ICH (all lesions)"), phe = group("PHE (all lesions)")
        #expect(ich.contains { $0.referencedSegment == "1" && $0.referencedInstance == segUID })
        #expect(phe.contains { $0.referencedSegment == "2" && $0.referencedInstance == segUID })
        #expect(value(ich, "118565006") == 12.5 && value(phe, "118565006") == 20.75)
        #expect(value(ich, "112031", derivation: "Mean") == 61.25 && value(ich, "112031", derivation: "Median") == 62)
        #expect(value(ich, "ABC2") == 11.75 && value(ich, "PHEICHRATIO") == 1.66)
        let lesion1 = group("ICH lesion 1"), lesion2 = group("ICH lesion 2")
        #expect(value(lesion1, "118565006") == 10 && value(lesion1, "PNEOPLASTIC") == 0.61 && value(lesion1, "THRESHOLD") == 0.69)
        #expect(lesion1.contains { $0.code == "DECISION" && $0.text == "non-neoplastic" })
        #expect(value(lesion2, "118565006") == 2.5 && value(lesion2, "PNEOPLASTIC") == nil)
        #expect(value(group("PHE of ICH lesion 1"), "118565006") == 18)
        let report = items.filter { $0.group == -1 }
        #expect(report.contains { $0.code == "121106" && $0.text == Self.content.notice })
        #expect(report.filter { $0.code == "111001" }.compactMap(\.text) == Self.content.models)
        #expect(report.contains { $0.code == "111003" && $0.text == "NeoICH 9.8.7" })
        #expect(report.contains { $0.code == "DECISION" && $0.text == "non-neoplastic: Uncertain." })

    }
}
