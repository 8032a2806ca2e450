import Foundation
import Imaging
import Testing
import TestSupport
@testable import neoich

/// `neoich segment`, `predict` and `export-nnunet` with nnU-Net v2 results folders (the folder nnU-Net trained in
/// Tests/InteropTests/Fixtures/nnunet_results, made by scripts/fixtures/nnunet_results_fixtures.py).
@Suite("neoich with nnU-Net results folders")
struct NNUNetCommandsTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("InteropTests/Fixtures/nnunet_results")
    static let model = fixtures.appendingPathComponent("Dataset901_NeoICHTiny/nnUNetTrainer_1epoch__nnUNetPlans__3d_fullres").path
    static let ct = fixtures.appendingPathComponent("native_0000.nii.gz").path
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func voxels(_ path: String) throws -> [UInt8] {
        try NIfTIFile.readLabels(URL(fileURLWithPath: path)).withUnsafeVoxels { Array($0) }
    }

    @Test func segmentAndPredictTakeTheFolderAndGiveNNUNetPredictorsLabels() throws {
        let scratch = try TemporaryDirectory()
        let mask = scratch.file("mask.nii.gz").path
        let segment = try #require(try NeoICH.parseAsRoot(["segment", Self.ct, "--model", Self.model, "-o", mask]) as? Segment)
        try segment.run()
        let reference = try Self.voxels(Self.fixtures.appendingPathComponent("native_labels.nii.gz").path)
        #expect(try Self.voxels(mask) == reference)

        let out = scratch.file("case")
        let predict = try #require(try NeoICH.parseAsRoot([
            "predict", Self.ct, "-o", out.path, "--segmentation-model", Self.model, "--folds", "0,1", "--checkpoint", "final",
            "--classifier-model", Self.repository.appendingPathComponent("Models/classifier").path]) as? Predict)
        try predict.run()
        #expect(try Self.voxels(out.appendingPathComponent("labels.nii.gz").path) == reference)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("report.json").path))
    }

    @Test func foldsAndCheckpointsAreCheckedAndAMissingFoldIsNamed() throws {
        #expect(throws: (any Error).self) { _ = try NeoICH.parseAsRoot(["segment", Self.ct, "--model", Self.model, "-o", "x.nii.gz", "--folds", "0,one"]) }
        #expect(throws: (any Error).self) { _ = try NeoICH.parseAsRoot(["segment", Self.ct, "--model", Self.model, "-o", "x.nii.gz", "--checkpoint", "latest"]) }
        let scratch = try TemporaryDirectory()
        let segment = try #require(try NeoICH.parseAsRoot(["segment", Self.ct, "--model", Self.model, "--folds", "0,7",
                                                           "-o", scratch.file("m.nii.gz").path]) as? Segment)
        #expect { try segment.run() } throws: { "\($0)".contains("fold_7/checkpoint_final.pth") }
    }

    @Test func exportNNUNetWritesAFolderThatSegmentReads() throws {
        let scratch = try TemporaryDirectory()
        let folder = scratch.file("Dataset902_NeoICHDemo/nnUNetTrainer__nnUNetPlans__3d_fullres")
        let export = try #require(try NeoICH.parseAsRoot(["export-nnunet", "--model", Self.repository.appendingPathComponent("Models/segmentation").path,
                                                          "-o", folder.path]) as? ExportNNUNet)
        try export.run()
        for name in ["dataset.json", "plans.json", "fold_0/checkpoint_final.pth"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path), "\(name)")
        }
        let segment = try #require(try NeoICH.parseAsRoot(["segment", Self.ct, "--model", folder.path, "--no-mirroring",
                                                           "-o", scratch.file("m.nii.gz").path]) as? Segment)
        try segment.run()
        #expect(try Self.voxels(scratch.file("m.nii.gz").path) == Self.voxels(Self.fixtures.appendingPathComponent("export_labels.nii.gz").path))
    }
}
