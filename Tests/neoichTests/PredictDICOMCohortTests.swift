import Foundation
@testable import DICOM
import Imaging
import Pipeline
import Testing
import TestSupport

/// `neoich predict --cohort DIR --dicom`: every DICOM case of the cohort (a sub-folder of DICOM files) gets
/// seg.dcm, sr.dcm and montage.dcm over its own series, NIfTI cases are predicted without them, and a second
/// run skips every finished case.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/dcm2niix"), "needs dcm2niix (scripts/install-deps)"))
struct PredictDICOMCohortTests {
    @Test func everyDICOMCaseGetsItsObjects() throws {
        let directory = try TemporaryDirectory("neoich-cohort-dicom")
        let models = try PlumbingFixtures.writeUntrainedModels(to: directory.file("models"))
        let cohort = directory.file("cohort")
        try PredictDICOMCommandTests.writeSeries(PlumbingFixtures.syntheticCT(seed: 1), to: cohort.appendingPathComponent("caseA"))
        try PredictDICOMCommandTests.writeSeries(PlumbingFixtures.syntheticCT(seed: 2), to: cohort.appendingPathComponent("caseB"))
        try NIfTIFile.write(PlumbingFixtures.syntheticCT(seed: 4), to: cohort.appendingPathComponent("caseC.nii.gz"))
        let out = directory.file("out")
        let arguments = ["predict", "--cohort", cohort.path, "-o", out.path, "--dicom", "--segmentation-model", models.segmentation.path,
                         "--classifier-model", models.classifier.path, "--no-mirroring"]
        let first = try ChildProcess.run(ChildProcess.built("neoich"), arguments, environment: ["NEOICH_THREADS": "1"])
        try #require(first.status == 0, "\(first.standardOutput)\n\(first.standardError)")
        #expect(first.standardOutput.contains("3 predicted"), "\(first.standardOutput)")

        for name in ["caseA", "caseB"] {
            let folder = out.appendingPathComponent(name)
            let report = try PredictionReport.read(folder.appendingPathComponent("report.json"))
            #expect(report.files.dicom == DICOMCaseResults.fileNames)
            let source = try DICOMInstanceIdentity(reading: cohort.appendingPathComponent(name).appendingPathComponent("slice000.dcm"))
            let seg = try DICOMDataset(reading: folder.appendingPathComponent("seg.dcm").path)
            #expect(try seg.string("ReferencedSeriesSequence[0].SeriesInstanceUID") == source.seriesInstanceUID)
            for file in DICOMCaseResults.fileNames {
                let object = try DICOMInstanceIdentity(reading: folder.appendingPathComponent(file))
                #expect(object.studyInstanceUID == source.studyInstanceUID, "\(name)/\(file)")
            }
        }
        let nifti = try PredictionReport.read(out.appendingPathComponent("caseC/report.json"))
        #expect(nifti.files.dicom == nil)
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("caseC/seg.dcm").path))

        let second = try ChildProcess.run(ChildProcess.built("neoich"), arguments, environment: ["NEOICH_THREADS": "1"])
        try #require(second.status == 0, "\(second.standardError)")
        #expect(second.standardOutput.contains("0 predicted") && second.standardOutput.contains("3 already done"), "\(second.standardOutput)")
    }
}
