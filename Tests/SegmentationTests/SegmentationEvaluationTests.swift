import Foundation
import Imaging
import Segmentation
import TestSupport
import Testing

@Suite("Evaluation")
struct SegmentationEvaluationTests {
    static func map(_ voxels: [UInt8], spacing: SpacingMM = SpacingMM(z: 10, y: 10, x: 10)) throws -> LabelMap {
        try LabelMap(geometry: VolumeGeometry(shape: VolumeShape(z: 1, y: 1, x: voxels.count), spacingMM: spacing), voxels: voxels)
    }

    @Test("Dice per class by hand, NaN when both empty, volumes in mL, Bland–Altman and Pearson by hand")
    func handWorked() throws {
        // Voxel = 1 mL. Case a: ICH pred {0,1,2}, ref {1,2,3}: TP 2, FP 1, FN 1 → 4/6. PHE pred {4}, ref {4,5} → 2/3.
        // Case b: ICH pred {0}, ref {0,1} → 2/3; no PHE anywhere → NaN.
        // Case c: ICH pred {0,1,2,3}, ref {0,1,2,3} → 1; PHE empty both → NaN.
        let a = try (Self.map([1, 1, 1, 0, 2, 0]), Self.map([0, 1, 1, 1, 2, 2]))
        let b = try (Self.map([1, 0, 0, 0, 0, 0]), Self.map([1, 1, 0, 0, 0, 0]))
        let c = try (Self.map([1, 1, 1, 1, 0, 0]), Self.map([1, 1, 1, 1, 0, 0]))
        let e = try SegmentationEvaluation(pairs: [("a", a.0, a.1), ("b", b.0, b.1), ("c", c.0, c.1)])
        expectClose(try #require(e.cases[0].dice[0]), 4.0 / 6, absolute: 1e-12)
        expectClose(try #require(e.cases[0].dice[1]), 2.0 / 3, absolute: 1e-12)
        #expect(e.cases[1].dice[1] == nil && e.cases[2].dice[1] == nil)
        #expect(e.cases[0].predictedVolumeML == [3, 1] && e.cases[0].referenceVolumeML == [3, 2])
        let ich = e.dice[0]
        #expect(ich.cases == 3)
        expectClose(try #require(ich.median), 2.0 / 3, absolute: 1e-12)
        expectClose(try #require(ich.mean), (4.0 / 6 + 2.0 / 3 + 1) / 3, absolute: 1e-12)
        #expect(ich.minimum == 2.0 / 3 && ich.maximum == 1)
        #expect(e.dice[1].cases == 1)
        // ICH volumes pred (3, 1, 4) vs ref (3, 2, 4): differences (0, −1, 0): bias −1/3, SD √(1/3).
        let agreement = e.volumes[0]
        expectClose(try #require(agreement.biasML), -1.0 / 3, absolute: 1e-12)
        expectClose(try #require(agreement.upperLimitML), -1.0 / 3 + 1.96 * (1.0 / 3).squareRoot(), absolute: 1e-12)
        // Pearson r of (3, 1, 4) and (3, 2, 4): centred (2/3, −4/3, 5/3) and (0, −1, 1): 3 / √(42/9 · 2).
        expectClose(try #require(agreement.pearsonR), 3 / (42.0 / 9 * 2).squareRoot(), absolute: 1e-12)
        #expect(e.csv.hasPrefix("case,dice_ICH,dice_PHE,pred_ICH_mL,ref_ICH_mL,pred_PHE_mL,ref_PHE_mL\n"))
        #expect(e.csv.contains("b,0.666667,NaN,"))
    }

    @Test("folders: files matched by name; JSON and CSV written; a missing counterpart is an error")
    func folders() throws {
        let predictions = try TemporaryDirectory(), references = try TemporaryDirectory()
        try NIfTIFile.write(Self.map([1, 2, 0]), to: predictions.file("case1.nii.gz"))
        try NIfTIFile.write(Self.map([1, 2, 2]), to: references.file("case1.nii.gz"))
        let e = try SegmentationEvaluation.evaluate(predictions: predictions.url, references: references.url)
        try e.write(to: predictions.url)
        #expect(FileManager.default.fileExists(atPath: predictions.file("summary.json").path))
        #expect(try String(contentsOf: predictions.file("cases.csv"), encoding: .utf8).contains("case1,1.000000,0.666667"))
        // A reference without a prediction (a training case of labelsTr) is ignored, as nnU-Net does…
        try NIfTIFile.write(Self.map([0, 1, 0]), to: references.file("case3.nii.gz"))
        #expect(try SegmentationEvaluation.evaluate(predictions: predictions.url, references: references.url).cases.count == 1)
        // …but a prediction without a reference is an error.
        try NIfTIFile.write(Self.map([0, 0, 0]), to: predictions.file("case2.nii.gz"))
        #expect(throws: SegmentationError.self) {
            try SegmentationEvaluation.evaluate(predictions: predictions.url, references: references.url)
        }
    }
}
