import Foundation
@testable import Imaging
import TestSupport
import Testing

@Suite struct NNUNetDatasetTests {
    private func smallCase(_ seed: Int) -> (Volume<Int16>, LabelMap) {
        let geometry = ImagingFixtures.geometry(3, 8, 8, spacing: SpacingMM(z: 5, y: 0.5, x: 0.5))
        var image = Volume<Int16>(geometry: geometry, repeating: Int16(30 + seed))
        image[1, 4, 4] = 70
        var labels = LabelMap(geometry: geometry)
        labels[1, 4, 4] = 1
        labels[1, 4, 5] = 2
        return (image, labels)
    }

    private func cohort() -> CohortTable {
        CohortTable(covariateNames: ["age", "note"], records: [
            CohortRecord(caseID: "ich_001", label: "neoplastic", subtype: "metastasis", centre: "A", split: "train",
                         covariates: ["age": "71", "note": "says \"hi\", twice"]),
            CohortRecord(caseID: "ich_002", label: "non-neoplastic", subtype: "CAA", centre: "B", split: "test",
                         covariates: ["age": "", "note": "line\nbreak"]),
        ])
    }

    @Test func writeOpenAndValidate() throws {
        let directory = try TemporaryDirectory()
        let root = directory.file("Dataset501_NeoICH")
        var dataset = try NNUNetDataset.create(at: root, description: .neoICH(numTraining: 0, name: "NeoICH"), cohort: cohort())
        for (i, id) in ["ich_001", "ich_002"].enumerated() {
            let (image, labels) = smallCase(i)
            try dataset.write(case: id, image: image, labels: labels)
        }
        try dataset.writeMetadata()
        let opened = try NNUNetDataset.open(root)
        #expect(opened.cases == ["ich_001", "ich_002"])
        #expect(opened.description.numTraining == 2)
        #expect(opened.description.labels == ["background": 0, "ICH": 1, "PHE": 2])
        #expect(opened.cohort == cohort())
        #expect(opened.validate().isEmpty)
        // dataset.json uses nnU-Net's key names.
        let json = try String(contentsOf: root.appendingPathComponent("dataset.json"), encoding: .utf8)
        for key in ["\"channel_names\"", "\"file_ending\" : \".nii.gz\"", "\"numTraining\" : 2", "\"CT\""] { #expect(json.contains(key)) }
    }

    @Test func validationListsEveryProblemWithItsFile() throws {
        let directory = try TemporaryDirectory()
        let root = directory.file("Dataset502_Broken")
        var dataset = try NNUNetDataset.create(at: root, description: .neoICH(numTraining: 0), cohort: cohort())
        for id in ["ich_001", "ich_002", "ich_003"] {
            let (image, labels) = smallCase(0)
            try dataset.write(case: id, image: image, labels: labels)
        }
        try dataset.writeMetadata()
        // ich_001: label on a shifted grid; ich_002: label value 5; ich_003: label removed; an orphan label.
        var shifted = smallCase(0).1
        shifted.geometry.sform[0, 3] += 3
        try NIfTIFile.write(shifted, to: dataset.labelURL("ich_001"))
        var bad = smallCase(0).1
        bad[0, 0, 0] = 5
        try NIfTIFile.write(bad, to: dataset.labelURL("ich_002"))
        try FileManager.default.removeItem(at: dataset.labelURL("ich_003"))
        try NIfTIFile.write(smallCase(0).1, to: root.appendingPathComponent("labelsTr/orphan.nii.gz"))
        let problems = try NNUNetDataset.open(root).validate()
        let byFile = Dictionary(grouping: problems, by: { URL(fileURLWithPath: $0.file).lastPathComponent })
        #expect(byFile["ich_001.nii.gz"]?.first?.problem.contains("affine") == true)
        #expect(byFile["ich_002.nii.gz"]?.first?.problem.contains("[5]") == true)
        #expect(byFile["ich_003.nii.gz"]?.first?.problem.contains("missing label map") == true)
        #expect(byFile["orphan.nii.gz"]?.first?.problem.contains("without an image") == true)
        #expect(byFile["cohort.csv"]?.first?.problem.contains("ich_003") == true)
        #expect(problems.count == 5)
    }

    @Test func writeRefusesMisalignedLabels() throws {
        let directory = try TemporaryDirectory()
        var dataset = try NNUNetDataset.create(at: directory.file("Dataset503_X"), description: .neoICH(numTraining: 0))
        let (image, _) = smallCase(0)
        let labels = LabelMap(geometry: ImagingFixtures.geometry(3, 8, 9))
        #expect(throws: ImagingError.self) { try dataset.write(case: "a", image: image, labels: labels) }
        #expect(!FileManager.default.fileExists(atPath: dataset.imageURL("a").path))
    }

    @Test func cohortCSVQuotingAndErrors() throws {
        let table = cohort()
        #expect(try CohortTable.parse(table.csvText, file: "c.csv") == table)
        let crlf = "case,label,subtype,centre,split,age\r\nx,neoplastic,metastasis,A,train,60\r\n"
        #expect(try CohortTable.parse(crlf, file: "c.csv").records[0].covariates == ["age": "60"])
        #expect(throws: ImagingError.invalidDataset(file: "c.csv", detail: "line 1: missing column \"split\" (expected case,label,subtype,centre,split,…)")) {
            _ = try CohortTable.parse("case,label,subtype,centre\n", file: "c.csv")
        }
        #expect(throws: ImagingError.invalidDataset(file: "c.csv", detail: "line 2: 4 fields, expected 5")) {
            _ = try CohortTable.parse("case,label,subtype,centre,split\na,b,c,d\n", file: "c.csv")
        }
        #expect(throws: ImagingError.self) { _ = try CohortTable.parse("case,label,subtype,centre,split\n\"a,b", file: "c.csv") }
        #expect(throws: ImagingError.self) {
            _ = try CohortTable.parse("case,label,subtype,centre,split\na,1,s,c,train\na,1,s,c,test\n", file: "c.csv")
        }
    }

    @Test func openRejectsMissingOrMalformedDescription() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: ImagingError.fileNotFound(file: directory.file("dataset.json").path)) { _ = try NNUNetDataset.open(directory.url) }
        try Data("{\"labels\": 3}".utf8).write(to: directory.file("dataset.json"))
        #expect(throws: ImagingError.self) { _ = try NNUNetDataset.open(directory.url) }
    }
}
