import Foundation
import Imaging
@testable import Segmentation
import TestSupport
import Testing
import Torch

@Suite("Sliding-window prediction")
struct SlidingWindowPredictorTests {
    @Test("tile origins as nnU-Net's compute_steps_for_sliding_window")
    func steps() {
        // size 100, tile 40, step 0.5: ⌈60/20⌉ + 1 = 4 origins 20 apart; size 64, tile 32: 3 origins.
        #expect(SlidingWindowPredictor.steps(size: 100, tile: 40, stepFraction: 0.5) == [0, 20, 40, 60])
        #expect(SlidingWindowPredictor.steps(size: 64, tile: 32, stepFraction: 0.5) == [0, 16, 32])
        #expect(SlidingWindowPredictor.steps(size: 20, tile: 20, stepFraction: 0.5) == [0])
    }

    @Test("Gaussian importance: peak 10 at patch/2, 10·e^(−1/2) one σ = patch/8 away")
    func gaussian() throws {
        let g = try SlidingWindowPredictor.gaussianImportance(patch: [8, 16, 32])
        let values = try g.scalars(as: Float.self)
        func at(_ z: Int, _ y: Int, _ x: Int) -> Double { Double(values[(z * 16 + y) * 32 + x]) }
        expectClose(at(4, 8, 16), 10, absolute: 1e-5)
        expectClose(at(4, 8, 20), 10 * Foundation.exp(-0.5), absolute: 1e-5)
        expectClose(at(5, 8, 16), 10 * Foundation.exp(-0.5), absolute: 1e-5)
        #expect(values.allSatisfy { $0 > 0 })
    }

    @Test("skipping all-air tiles never costs more than 0.01 Dice against the full sliding window")
    func skipAirTiles() throws {
        let model = try TrainedTinyModel.shared.get()
        let (image, labels) = try SyntheticLesions.makeCase(seed: 101, shape: VolumeShape(z: 32, y: 128, x: 128),
                                                            headRadiusVoxels: [14.4, 25.6, 25.6])
        var results: [(dice: [Double?], tiles: SlidingWindowPredictor.TileCounts, seconds: Double)] = []
        for skip in [false, true] {
            let predictor = SlidingWindowPredictor(network: model.network, plans: model.plans,
                                                   configuration: PredictionConfiguration(mirroring: false, skipAirTiles: skip))
            let start = Date()
            let (mask, tiles) = try predictor.predictWithCounts(image)
            #expect(mask.geometry == image.geometry)
            results.append((try SegmentationEvaluation(pairs: [("c", mask, labels)]).cases[0].dice, tiles, Date().timeIntervalSince(start)))
        }
        print("air skipping: full \(results[0]), skipping \(results[1])")
        #expect(results[1].tiles.skipped > 0)
        #expect(results[0].tiles.skipped == 0)
        for c in 0..<2 {
            let full = try #require(results[0].dice[c]), skipped = try #require(results[1].dice[c])
            // Skipped tiles are pure air, so skipping can only remove false positives there.
            #expect(skipped >= full - 0.01)
        }
    }

    @Test("anisotropic scan with a non-trivial affine: mask on the input grid, lesion found where it is")
    func alignment() throws {
        let model = try TrainedTinyModel.shared.get()
        let (image1mm, labels1mm) = try SyntheticLesions.makeCase(seed: 102)
        let fine = try Resampler.geometry(image1mm.geometry, resampledTo: SpacingMM(z: 2, y: 0.5, x: 0.5))
        var geometry = fine
        let shifted = try #require(Affine(rowMajor: [0.5, 0, 0, -31, 0, 0.5, 0, 12, 0, 0, 2, 40, 0, 0, 0, 1]))
        geometry.sform = shifted
        geometry.qform = shifted
        var image = try Resampler.resample(image1mm, onto: fine, method: .trilinear)
        var labels = try Resampler.resample(labels1mm, onto: fine)
        image.geometry = geometry
        labels.geometry = geometry
        var configuration = PredictionConfiguration(mirroring: true)
        configuration.postProcessing = .largestICH
        let mask = try SlidingWindowPredictor(network: model.network, plans: model.plans, configuration: configuration).predict(image)
        #expect(mask.geometry == image.geometry)
        let dice = try SegmentationEvaluation(pairs: [("c", mask, labels)]).cases[0].dice
        #expect(try #require(dice[0]) > 0.6)
    }

    @Test("bad input: scan smaller than the patch is padded; zero spacing is an Imaging error; no lesion gives a mask")
    func badInput() throws {
        let model = try TrainedTinyModel.shared.get()
        let predictor = SlidingWindowPredictor(network: model.network, plans: model.plans, configuration: PredictionConfiguration(mirroring: false))
        let (small, _) = try SyntheticLesions.makeCase(seed: 103, shape: VolumeShape(z: 6, y: 20, x: 12))
        let mask = try predictor.predict(small)
        #expect(mask.geometry == small.geometry)
        var flat = small
        flat.geometry.spacingMM = SpacingMM(z: 0, y: 1, x: 1)
        #expect(throws: ImagingError.invalidSpacing(file: "CT", axis: "z", value: 0)) { try predictor.predict(flat) }
        let (healthy, none) = try SyntheticLesions.makeCase(seed: 104, lesion: false)
        let healthyMask = try predictor.predict(healthy)
        let lesionVoxels = healthyMask.voxels.filter { $0 != 0 }.count
        #expect(Double(lesionVoxels) < 0.01 * Double(healthyMask.count))
        #expect(try SegmentationEvaluation(pairs: [("none", none, none)]).cases[0].dice == [nil, nil])
    }

    @Test("device and precision: an explicit CPU/fp32 run equals the default; fp16 on the CPU and CUDA without it are refused")
    func deviceAndPrecision() throws {
        let model = try TrainedTinyModel.shared.get()
        let (small, _) = try SyntheticLesions.makeCase(seed: 105, shape: VolumeShape(z: 6, y: 20, x: 12))
        let reference = try SlidingWindowPredictor(network: model.network, plans: model.plans,
                                                   configuration: PredictionConfiguration(mirroring: false)).predict(small)
        let explicit = try SlidingWindowPredictor(network: model.network, plans: model.plans,
                                                  configuration: PredictionConfiguration(mirroring: false, device: .cpu, precision: .fp32))
            .predict(small)
        #expect(explicit.voxels == reference.voxels)
        let half = SlidingWindowPredictor(network: model.network, plans: model.plans,
                                          configuration: PredictionConfiguration(mirroring: false, device: .cpu, precision: .fp16))
        #expect(throws: DeviceError.precisionUnsupported(.fp16, device: .cpu)) { try half.predict(small) }
        guard !Runtime.hasCUDA else { return }
        let gpu = SlidingWindowPredictor(network: model.network, plans: model.plans,
                                         configuration: PredictionConfiguration(mirroring: false, device: .cuda(0)))
        #expect(throws: TorchError.self) { try gpu.predict(small) }
        #expect(model.network.device == .cpu)
    }

    @Test("largest-ICH post-processing keeps the biggest hemorrhage with its edema, nothing else")
    func largestICH() throws {
        let geometry = VolumeGeometry(shape: VolumeShape(z: 1, y: 1, x: 12), spacingMM: SpacingMM(z: 1, y: 1, x: 1))
        let labels = try LabelMap(geometry: geometry, voxels: [2, 1, 1, 1, 2, 0, 1, 2, 0, 2, 2, 0])
        #expect(PostProcessing.largestICH.apply(to: labels).voxels == [2, 1, 1, 1, 2, 0, 0, 0, 0, 0, 0, 0])
        #expect(PostProcessing.keepAll.apply(to: labels).voxels == labels.voxels)
    }
}

@Suite("Preprocessing alignment")
struct PreprocessingAlignmentTests {
    @Test("resampled labels stay on the resampled image: anisotropic 5×0.45×0.45 mm → 5×0.9×0.9 mm, non-square grid")
    func labelsFollowTheImage() throws {
        let (image, labels) = try SyntheticLesions.makeCase(seed: 7, shape: VolumeShape(z: 16, y: 96, x: 128),
                                                            spacing: SpacingMM(z: 5, y: 0.45, x: 0.45),
                                                            headRadiusVoxels: [8, 45, 60])
        var plans = SyntheticLesions.tinyPlans()
        plans.targetSpacingMM = [5, 0.9, 0.9]
        let preprocessed = try PreprocessedCase(id: "aligned", image: image, labels: labels, plans: plans)
        #expect(preprocessed.image.shape == [1, 16, 48, 64])
        let values = try preprocessed.image.scalars(as: Float.self)
        let classes = try #require(preprocessed.labels).scalars(as: Int64.self)
        func mean(_ c: Int64) -> Double {
            let picked = classes.indices.filter { classes[$0] == c }.map { Double(values[$0]) }
            return picked.reduce(0, +) / Double(max(picked.count, 1))
        }
        // Normalised HU: ICH 70 → 1.5, PHE 18 → −1.1 with (HU − 40) / 20; brain 35 → −0.25.
        #expect(mean(1) > 1.2, "ICH voxels are not bright after resampling: \(mean(1))")
        #expect(mean(2) < -0.6, "PHE voxels are not dark after resampling: \(mean(2))")
        #expect(preprocessed.classLocations[1].count > 50)
    }
}
