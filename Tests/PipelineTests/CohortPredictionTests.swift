import Foundation
import Imaging
import Pipeline
import Testing
import TestSupport

@Suite struct CohortPredictionTests {
    @Test func resumesAndListsEveryCase() throws {
        let fixture = try PipelineFixture()
        for (k, name) in ["c1.nii.gz", "c2.nii.gz"].enumerated() { _ = try fixture.writeCT(name, seed: UInt64(k), in: "cohort") }
        try Data("broken".utf8).write(to: fixture.directory.file("cohort/c3.nii.gz"))
        let cohort = CohortPrediction(predictor: fixture.predictor)
        let out = fixture.directory.file("out")

        let first = try cohort.run(fixture.directory.file("cohort"), output: out, progressStyle: .silent)
        #expect(first.predicted == ["c1", "c2"])
        #expect(first.skipped.isEmpty)
        #expect(first.failed.keys.sorted() == ["c3"])
        let csv = try String(contentsOf: first.table, encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 4)
        #expect(csv[0].hasPrefix("case,status,ich_volume_ml"))
        #expect(csv[1].hasPrefix("c1,done,"))
        #expect(csv[3].hasPrefix("c3,failed,"))
        let report = try PredictionReport.read(out.appendingPathComponent("c1/report.json"))
        #expect(csv[1].split(separator: ",", omittingEmptySubsequences: false)[2] == "\(report.total.ich.volumeML)")

        // Second run: finished cases are skipped; a deleted report is redone.
        try FileManager.default.removeItem(at: out.appendingPathComponent("c2/report.json"))
        let second = try cohort.run(fixture.directory.file("cohort"), output: out, progressStyle: .silent)
        #expect(second.skipped == ["c1"])
        #expect(second.predicted == ["c2"])
        #expect(second.failed.keys.sorted() == ["c3"])
    }

    @Test func emptyFolderIsAnError() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: PipelineError.emptyCohort(folder: directory.url.path)) { try CohortPrediction.cases(in: directory.url) }
    }
}
