import Foundation
import Classification
import Imaging
import Pipeline
import Testing
import TestSupport

@Suite struct CasePredictorTests {
    @Test func reportMatchesIndependentVolumetryAndMaskIsAligned() throws {
        let fixture = try PipelineFixture()
        let ct = try fixture.writeCT("case_a.nii.gz", seed: 3)
        let out = fixture.directory.file("out")
        let result = try fixture.predictor.predict(ct, output: out)
        let report = result.report

        // The mask on disk is on the input's grid.
        let input = try NIfTIFile.read(ct)
        let labels = try NIfTIFile.readLabels(out.appendingPathComponent(report.files.labels))
        #expect(labels.geometry == input.geometry)
        #expect(report.input.shape == [8, 64, 64])
        #expect(report.input.spacingMM == [2, 1, 1])
        #expect(report.input.affine == input.geometry.affine.rows)
        #expect(report.caseID == "case_a")

        // Totals and lesions equal Volumetry run separately on the files, in the orientation the classifier saw.
        #expect(report.input.orientation == "RAS" && report.input.classificationOrientation == "LPS")
        let toModel = try Reorientation(from: input.geometry, to: "LPS")
        let volumetry = try Volumetry.measure(image: toModel.apply(input), labels: toModel.apply(labels))
        #expect(volumetry.ich.voxelCount > 0, "the tiny untrained model should label some ICH on this seed")
        #expect(report.total.ich == volumetry.ich)
        #expect(report.total.phe == volumetry.phe)
        #expect(report.total.pheToICHRatio == volumetry.pheToICHRatio)
        #expect(report.total.ichABCOver2 == volumetry.ichABCOver2)
        #expect(report.lesions.map(\.id) == volumetry.lesions.map(\.id))
        #expect(report.lesions.map(\.ich) == volumetry.lesions.map(\.ich))
        #expect(report.lesions.map(\.phe) == volumetry.lesions.map(\.phe))
        #expect(report.primaryLesionID == volumetry.lesions.first?.id)

        // Slice ranges hold the lesion: every ICH voxel of the primary lesion lies inside it.
        // (Lesion ids number the components in the classifier's orientation; slices index the stored scan.)
        let components = ConnectedComponents.label(toModel.apply(labels), value: 1)
        let primary = try #require(report.lesions.first { $0.isPrimary })
        let shape = toModel.target.shape
        let slices = (0..<labels.count).filter { components.componentIDs[$0] == Int32(primary.id) }.map { offset in
            toModel.sourceIndex(ofTarget: VoxelIndex(z: offset / (shape.y * shape.x), y: (offset / shape.x) % shape.y,
                                                     x: offset % shape.x)).z
        }
        #expect(primary.sliceRange == [slices.min() ?? -1, slices.max() ?? -1])

        // Classification of the primary lesion uses the card's threshold.
        let classification = try #require(report.classification)
        #expect(classification.threshold == 0.5)
        #expect((0...1).contains(classification.probability))
        #expect(classification.decision == (classification.probability >= 0.5 ? "neoplastic" : "non-neoplastic"))
        #expect(primary.classification == classification)

        // Files and timings.
        #expect(report.timings.map(\.stage) == PipelineStage.allCases)
        #expect(report.timings.allSatisfy { $0.seconds >= 0 })
        for name in [report.files.overlayMontage, report.files.primarySlice ?? "missing", CasePredictor.reportFileName] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name)")
        }
        let montage = try RGBAImage.readPNG(out.appendingPathComponent(report.files.overlayMontage))
        #expect(montage.width >= 64 && montage.height >= 64)
        #expect(try PredictionReport.read(out.appendingPathComponent(CasePredictor.reportFileName)) == report)
        #expect(report.schemaVersion == PredictionReport.currentSchemaVersion)
    }

    @Test func badInputsGiveClearErrors() throws {
        let fixture = try PipelineFixture()
        let out = fixture.directory.file("out")
        #expect(throws: ImagingError.fileNotFound(file: "/nonexistent/scan.nii.gz")) {
            try fixture.predictor.predict(URL(fileURLWithPath: "/nonexistent/scan.nii.gz"), output: out)
        }
        let text = fixture.directory.file("notes.txt")
        try "hello".write(to: text, atomically: true, encoding: .utf8)
        #expect(throws: PipelineError.unsupportedInput(file: text.path)) { try fixture.predictor.predict(text, output: out) }
        let fake = fixture.directory.file("fake.nii.gz")
        try Data("not a nifti".utf8).write(to: fake)
        do {
            _ = try fixture.predictor.predict(fake, output: out)
            Issue.record("expected an error")
        } catch let error as ImagingError {
            #expect(error.description.contains(fake.path))
        }
    }

    @Test func missingModelsAreNamed() throws {
        let directory = try TemporaryDirectory()
        let locations = ModelLocations.resolve(environment: ["NEOICH_MODELS": directory.url.path])
        #expect(locations.segmentation == directory.file("segmentation"))
        do {
            _ = try PipelineModels.load(locations)
            Issue.record("expected an error")
        } catch let error as PipelineError {
            guard case .modelMissing(let folder, let detail) = error else { Issue.record("\(error)"); return }
            #expect(folder == directory.file("segmentation").path)
            #expect(detail.contains("plans.json"))
        }
    }
}

/// Model folders trained elsewhere: a classifier folder holding a MONAI checkpoint (`model.pt`) instead of
/// `model.safetensors` is complete for `predict` and `serve`, and predicts as the safetensors folder does.
@Suite struct ForeignModelFolderTests {
    @Test func aClassifierFolderWithAPyTorchCheckpointPredictsTheSame() throws {
        let fixture = try PipelineFixture("neoich-foreign-models")
        let classifier = fixture.locations.classifier
        let monai = fixture.directory.file("models/classifier-monai")
        try FileManager.default.createDirectory(at: monai, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: classifier.appendingPathComponent("model.json"), to: monai.appendingPathComponent("model.json"))
        try fixture.models.classifier.network.writePyTorchCheckpoint(to: monai.appendingPathComponent("model.pt"))
        let locations = ModelLocations(segmentation: fixture.locations.segmentation, classifier: monai)
        #expect(locations.missingFiles.isEmpty)
        let empty = fixture.directory.file("models/empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let missing = ModelLocations(segmentation: fixture.locations.segmentation, classifier: empty).missingFiles
        #expect(missing.count == 2 && missing[1].contains("model.safetensors (or model.pt, model.pth)"), "\(missing)")

        let ct = try fixture.writeCT("case.nii.gz", seed: 4)
        let expected = try fixture.predictor.predict(ct, output: fixture.directory.file("out-safetensors")).report
        let foreign = CasePredictor(models: try PipelineModels.load(locations), segmentation: .init(mirroring: false))
        let report = try foreign.predict(ct, output: fixture.directory.file("out-pt")).report
        #expect(report.classification == expected.classification)
        #expect(report.total == expected.total)
    }
}
