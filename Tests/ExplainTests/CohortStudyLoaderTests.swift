import Foundation
import Imaging
import Stats
import Testing
import TestSupport
@testable import Explain
@testable import Study

/// A small cohort folder as `neoich synth` + `neoich explain` leave it.
struct CohortFolder {
    let directory: TemporaryDirectory
    var url: URL { directory.url }

    /// 8 cases (c1…c4 neoplastic); explanation i has GradCAM++ ICH 0.5 + 0.01 i, an undefined Saliency faithfulness on c2.
    init(flatExplanations: Bool = false) throws {
        directory = try TemporaryDirectory("cohort-study")
        var csv = "case,label,subtype,centre,split,age,sex,hypertension,ich_volume_ml,seed\n"
        for i in 1...8 {
            csv += "c\(i),\(i <= 4 ? "neoplastic" : "non-neoplastic"),\(i <= 4 ? "metastasis" : "CAA"),A,\(i == 8 ? "train" : "test"),"
                + "\(50 + i),\(i % 2 == 0 ? "F" : "M"),\(i % 3 == 0 ? 1 : 0),\(Double(i) * 1.5),\(i)\n"
        }
        try Data(csv.utf8).write(to: directory.file("cohort.csv"))
        for i in 1...8 {
            let summary = CaseExplanation.Summary(
                predictedClass: i <= 5 ? 1 : 0, probabilities: [1 - Double(i) / 10, Double(i) / 10], layer: "layer4",
                upsampling: .trilinear, lesionVoxels: 100, faithfulnessVoxels: 100, deletionSeconds: nil,
                methods: [
                    .init(method: .saliency, regionImportance: RegionImportance(ich: 0.3, phe: 0.2 + 0.01 * Double(i), background: 0.01),
                          faithfulness: i == 2 ? .nan : 0.1 * Double(i % 3), seconds: 1),
                    .init(method: .gradCAMPlusPlus, regionImportance: RegionImportance(ich: 0.5 + 0.01 * Double(i), phe: 0.4, background: 0.02),
                          faithfulness: 0.4 + 0.01 * Double(i), seconds: 1),
                ])
            struct Report: Encodable { var explanation: CaseExplanation.Summary; var files: [String: String] }
            let encoder = JSONEncoder()
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
            let url = flatExplanations ? directory.file("explanations/c\(i).json") : directory.file("c\(i)/explanation.json")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try encoder.encode(Report(explanation: summary, files: [:])).write(to: url)
        }
    }
}

@Suite struct CohortStudyLoaderTests {
    @Test func readsExplainOutput() throws {
        let cohort = try CohortFolder()
        let result = try CohortStudyLoader(cohort: cohort.url).load()
        #expect(result.cases.map(\.caseID) == (1...8).map { "c\($0)" })
        #expect(result.covariateNames == ["age", "sex", "hypertension", "ich_volume_ml", "seed"])
        let c2 = result.cases[1]
        #expect(c2.neoplastic && c2.probability == 0.2 && c2.ichVolumeML == 3)
        #expect(c2.methods.map(\.method) == ["Saliency", "GradCAMPlusPlus"])
        #expect(c2.methods[0].faithfulness?.isNaN == true)
        #expect(result.notes.contains("volumes of 8 cases from cohort.csv"))
        let study = try CohortStudy.analyze(result.cases, covariateNames: result.covariateNames)
        #expect(study.primaryMethod == "GradCAMPlusPlus")
        #expect(study.faithfulness.rows[0].n == 7 && study.faithfulness.rows[0].undefined == 1)
        #expect(study.baseline.rows.map(\.name).prefix(3) == ["Age [years]", "Female", "Hypertension"])
    }

    /// explanation.json names the faithfulness set and label; the study's CSVs and report name them too. Files of the
    /// earlier protocol (no set, faithfulness present) scored the lesion.
    @Test func faithfulnessSetReachesTheStudyFiles() throws {
        let cohort = try CohortFolder()
        let old = try CohortStudyLoader(cohort: cohort.url).load()
        #expect(old.cases.allSatisfy { $0.faithfulnessSet == "lesion" && $0.faithfulnessLabel == nil })
        let url = cohort.directory.file("c3/explanation.json")
        var text = try String(contentsOf: url, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"lesionVoxels\"", with: "\"faithfulnessSet\":\"crop\",\"faithfulnessLabel\":\"estimate, 25 of 100\",\"lesionVoxels\"")
        try Data(text.utf8).write(to: url)
        let result = try CohortStudyLoader(cohort: cohort.url).load()
        #expect(result.cases[2].faithfulnessSet == "crop" && result.cases[2].faithfulnessLabel == "estimate, 25 of 100")
        let study = try CohortStudy.analyze(result.cases, covariateNames: result.covariateNames)
        let cases = study.casesCSV.split(separator: "\n")
        #expect(cases[0].contains("faithfulness_set,faithfulness_voxels"))
        #expect(cases[3].contains(",crop,\"estimate, 25 of 100\""))
        let table2 = study.faithfulnessCSV.split(separator: "\n")
        #expect(table2[0].hasSuffix("faithfulness_set,sampled_cases") && table2[1].hasSuffix(",crop+lesion,1"))
        let out = try TemporaryDirectory("study-set")
        let files = try study.write(to: out.url)
        let html = try String(contentsOf: out.file(files.report), encoding: .utf8)
        #expect(html.contains("every voxel of the crop") && html.contains("estimate, 25 of 100"))
    }

    @Test func splitFlatLayoutAndPredictions() throws {
        let cohort = try CohortFolder(flatExplanations: true)
        try Data("case,status,ich_volume_ml,phe_volume_ml,p_neoplastic\nc1,done,10.5,20,0.99\nc2,failed,,,\n".utf8)
            .write(to: cohort.directory.file("predictions.csv"))
        let result = try CohortStudyLoader(cohort: cohort.url, split: "test").load()
        #expect(result.cases.count == 7)
        #expect(result.cases[0].probability == 0.99 && result.cases[0].ichVolumeML == 10.5 && result.cases[0].pheVolumeML == 20)
        #expect(result.cases[1].probability == 0.2 && result.cases[1].ichVolumeML == 3)
    }

    @Test func volumesFromLabelMaps() throws {
        let cohort = try CohortFolder()
        let csv = try String(contentsOf: cohort.directory.file("cohort.csv"), encoding: .utf8)
        try Data(csv.replacingOccurrences(of: "ich_volume_ml", with: "other").utf8).write(to: cohort.directory.file("cohort.csv"))
        let geometry = VolumeGeometry(shape: VolumeShape(z: 2, y: 2, x: 2), spacingMM: SpacingMM(z: 5, y: 2, x: 1))
        let labels = try LabelMap(geometry: geometry, voxels: [1, 1, 1, 2, 0, 0, 2, 0])
        try FileManager.default.createDirectory(at: cohort.directory.file("labelsTr"), withIntermediateDirectories: true)
        try NIfTIFile.write(labels, to: cohort.directory.file("labelsTr/c1.nii.gz"))
        let result = try CohortStudyLoader(cohort: cohort.url).load()
        #expect(result.cases[0].ichVolumeML == 0.03 && result.cases[0].pheVolumeML == 0.02)
        #expect(result.cases[1].ichVolumeML == nil)
    }

    @Test func namesTheFileOfMalformedInput() throws {
        let cohort = try CohortFolder()
        try Data("{\"explanation\": {\"methods\": [{\"method\": \"GradCAM\", \"regionImportance\": {\"ich\": \"high\"}}]}}".utf8)
            .write(to: cohort.directory.file("c3/explanation.json"))
        do {
            _ = try CohortStudyLoader(cohort: cohort.url).load()
            Issue.record("expected an error")
        } catch let error as CohortStudyError {
            #expect(error.description.contains("c3/explanation.json"))
            #expect(error.description.contains("regionImportance.ich"))
        }
        let fresh = try CohortFolder()
        let csv = try String(contentsOf: fresh.directory.file("cohort.csv"), encoding: .utf8)
        try Data(csv.replacingOccurrences(of: "c5,non-neoplastic", with: "c5,benign").utf8).write(to: fresh.directory.file("cohort.csv"))
        #expect(throws: CohortStudyError.malformed(file: fresh.directory.file("cohort.csv").path,
                                                   detail: "case c5: label \"benign\"; expected neoplastic or non-neoplastic")) {
            try CohortStudyLoader(cohort: fresh.url).load()
        }
        #expect(throws: CohortStudyError.self) { try CohortStudyLoader(cohort: cohort.directory.file("nowhere")).load() }
    }
}
