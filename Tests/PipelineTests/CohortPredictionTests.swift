import Foundation
import Imaging
@testable import Pipeline
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

    @Test func twoFilesWithOneCaseIDAreBothRefusedNeverMerged() throws {
        let fixture = try PipelineFixture()
        _ = try fixture.writeCT("c1.nii.gz", seed: 1, in: "cohort")
        _ = try fixture.writeCT("c1_0000.nii.gz", seed: 2, in: "cohort")
        _ = try fixture.writeCT("c2.nii.gz", seed: 3, in: "cohort")
        let summary = try CohortPrediction(predictor: fixture.predictor)
            .run(fixture.directory.file("cohort"), output: fixture.directory.file("out"), progressStyle: .silent)
        #expect(summary.predicted == ["c2"])
        let message = try #require(summary.failed["c1"])
        #expect(message.contains("duplicate case id c1") && message.contains("c1.nii.gz") && message.contains("c1_0000.nii.gz"))
        #expect(!FileManager.default.fileExists(atPath: fixture.directory.file("out/c1").path))
        let csv = try String(contentsOf: summary.table, encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 3)
        #expect(csv[1].hasPrefix("c1,failed,"))
    }

    @Test func aReplacedInputOrModelIsPredictedAgainATouchedOneIsNot() throws {
        let fixture = try PipelineFixture()
        let c1 = try fixture.writeCT("c1.nii.gz", seed: 1, in: "cohort")
        let c2 = try fixture.writeCT("c2.nii.gz", seed: 2, in: "cohort")
        let cohort = fixture.directory.file("cohort"), out = fixture.directory.file("out")
        let first = try CohortPrediction(predictor: fixture.predictor).run(cohort, output: out, progressStyle: .silent)
        #expect(first.predicted == ["c1", "c2"])
        let recorded = try #require(try PredictionReport.read(out.appendingPathComponent("c1/report.json")).input.digest)
        #expect(recorded.sha256.count == 64)
        #expect(recorded.sha256 == (try FileDigest.of(c1)).sha256)

        // c1: same bytes, new modification time → unchanged. c2: another scan under the same name → again.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 120)], ofItemAtPath: c1.path)
        try FileManager.default.removeItem(at: c2)
        _ = try fixture.writeCT("c2.nii.gz", seed: 9, in: "cohort")
        let second = try CohortPrediction(predictor: fixture.predictor).run(cohort, output: out, progressStyle: .silent)
        #expect(second.skipped == ["c1"])
        #expect(second.stale == ["c2"])
        #expect(second.predicted == ["c2"])

        // A changed model folder makes every report stale.
        try Data("retrained\n".utf8).write(to: fixture.locations.classifier.appendingPathComponent("NOTES.txt"))
        let retrained = CasePredictor(models: try PipelineModels.load(fixture.locations), segmentation: .init(mirroring: false))
        #expect(retrained.models.identifiers.classifierSHA256 != fixture.models.identifiers.classifierSHA256)
        let third = try CohortPrediction(predictor: retrained).run(cohort, output: out, progressStyle: .silent)
        #expect(third.stale == ["c1", "c2"])
        #expect(third.skipped.isEmpty)
    }

    @Test func theTableNeutralisesFormulasAndQuotesLineBreaks() {
        #expect(PredictionTableRow.quoted("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(PredictionTableRow.quoted("+1") == "'+1")
        #expect(PredictionTableRow.quoted("-cmd") == "'-cmd")
        #expect(PredictionTableRow.quoted("@SUM(A1)") == "'@SUM(A1)")
        #expect(PredictionTableRow.quoted("a\rb") == "\"a\rb\"")
        #expect(PredictionTableRow.quoted("a\r\nb") == "\"a\r\nb\"")
        #expect(PredictionTableRow.quoted("case_001") == "case_001")
        #expect(PredictionTableRow.number(-12.5) == "-12.5")
    }

    @Test func emptyFolderIsAnError() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: PipelineError.emptyCohort(folder: directory.url.path)) { try CohortPrediction.cases(in: directory.url) }
    }
}
