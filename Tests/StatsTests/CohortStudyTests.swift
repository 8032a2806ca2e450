import Foundation
import Testing
import TestSupport
@testable import Stats
@testable import Study

@Suite struct CohortStudyTests {
    @Test func analysesTheFixtureCohort() throws {
        let reference = try StudyReference.load()
        let study = try CohortStudy.analyze(reference.studyCases, covariateNames: StudyReference.covariateNames)
        #expect(study.primaryMethod == "GradCAMPlusPlus")
        #expect(study.regionImportance.map(\.method) == ["GradCAMPlusPlus", "Saliency"])
        let d = try #require(study.discrimination)
        expectReference("study.auc", d.auc, reference.auc, relative: 1e-14)
        #expect(d.n == 16)
        #expect(study.notes.isEmpty)
        // Without faithfulness the caller's fallback method is primary, else the first method.
        let unscored = reference.studyCases.map { c -> StudyCase in
            var c = c
            c.methods = c.methods.map { var m = $0; m.faithfulness = nil; return m }
            return c
        }
        let fallback = try CohortStudy.analyze(unscored, covariateNames: [], configuration: .init(fallbackMethod: "Saliency"))
        #expect(fallback.primaryMethod == "Saliency")
        #expect(try CohortStudy.analyze(unscored, covariateNames: []).primaryMethod == unscored[0].methods[0].method)
        let explicit = try CohortStudy.analyze(reference.studyCases, covariateNames: [], configuration: .init(primaryMethod: "Saliency"))
        #expect(explicit.primaryMethod == "Saliency")
        #expect(throws: StatsError.self) {
            try CohortStudy.analyze(reference.studyCases, covariateNames: [], configuration: .init(primaryMethod: "GradCAM"))
        }
    }

    @Test func writesTablesFiguresAndReport() throws {
        let reference = try StudyReference.load()
        let study = try CohortStudy.analyze(reference.studyCases, covariateNames: StudyReference.covariateNames)
        let directory = try TemporaryDirectory("study")
        let files = try study.write(to: directory.url)
        #expect(files.figures == ["figures/ich_volume_histogram.svg", "figures/importance_violin.svg", "figures/roc.svg"])
        for name in files.tables + [files.json, files.report] + files.figures {
            #expect(FileManager.default.fileExists(atPath: directory.file(name).path), "\(name)")
        }
        let html = try String(contentsOf: directory.file("report.html"), encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("<?xml"))
        #expect(html.components(separatedBy: "<svg").count == 4)
        #expect(!html.contains("src=\"http") && !html.contains("<script"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.file("study.json"))) as? [String: Any]
        #expect(json?["primaryMethod"] as? String == "GradCAMPlusPlus")
        let table3 = try String(contentsOf: directory.file("table3_region_importance.csv"), encoding: .utf8)
        // Header + 2 methods × 3 subsets × 3 regions.
        #expect(table3.split(separator: "\n").count == 1 + 18)
        let cases = try String(contentsOf: directory.file("cases.csv"), encoding: .utf8).split(separator: "\n")
        #expect(cases.count == 17)
        #expect(cases[3].contains("NaN"))  // c03's undefined Saliency faithfulness
    }

    @Test func worksWithoutExplanationsOrProbabilities() throws {
        let cases = (0..<6).map { StudyCase(caseID: "\($0)", neoplastic: $0 % 2 == 0, ichVolumeML: Double($0)) }
        let study = try CohortStudy.analyze(cases, covariateNames: [])
        #expect(study.primaryMethod == nil && study.discrimination == nil)
        #expect(study.notes.count == 2)
        #expect(try study.figures().map(\.name) == ["ich_volume_histogram"])
        #expect(study.html(figures: []).contains("Table 1"))
    }
}
