import Foundation
import Imaging
import Segmentation
import TestSupport
import Testing
import Torch

@Suite("Fingerprint and plans (nnU-Net v2 rules)")
struct ExperimentPlannerTests {
    struct ReferencePlan: Decodable {
        var patch_size: [Int]
        var strides: [[Int]]
        var kernel_sizes: [[Int]]
        var stages: Int
        var features: [Int]
        var parameter_count: Int
    }

    static func fingerprint(spacings: [SpacingMM], shapes: [VolumeShape]) -> DatasetFingerprint {
        DatasetFingerprint(datasetName: "Dataset001_Test", cases: spacings.indices.map { "case_\($0)" }, spacingsMM: spacings,
                           shapes: shapes,
                           foregroundIntensity: ForegroundIntensityProperties(mean: 40, median: 40, std: 15, min: -10, max: 90,
                                                                              percentile00_5: 2, percentile99_5: 85),
                           labels: NNUNetDatasetDescription.neoICHLabels)
    }

    @Test("default plan for a 32×512×512 head CT at 5×0.45×0.45 mm is nnU-Net's: patch 20×320×256, 7 stages, 43.5 M parameters")
    func defaultHeadCTPlan() throws {
        let fp = Self.fingerprint(spacings: Array(repeating: SpacingMM(z: 5, y: 0.45, x: 0.45), count: 20),
                                  shapes: Array(repeating: VolumeShape(z: 32, y: 512, x: 512), count: 20))
        let plans = try ExperimentPlanner.plan(fp)
        // REFERENCES.md §4.
        #expect(plans.patchSize == [20, 320, 256])
        #expect(plans.topology.stageCount == 7)
        #expect(abs(Double(plans.parameterCount) / 1e6 - 43.5) < 0.05)
        // nnU-Net v2's own topology code and dynamic_network_architectures (scripts/fixtures/nnunet_fixtures.py).
        let reference = try Fixture.json(ReferencePlan.self, "nnunet_default_plan.json", in: .module)
        #expect(plans.patchSize == reference.patch_size)
        #expect(plans.topology.strides == reference.strides)
        #expect(plans.topology.kernelSizes == reference.kernel_sizes)
        #expect(plans.featuresPerStage == reference.features)
        #expect(plans.parameterCount == reference.parameter_count)
        #expect(plans.targetSpacingMM == [5, 0.45, 0.45])
        #expect(plans.batchSize == 2)
        #expect(plans.isAnisotropicPatch)
    }

    @Test("anisotropic axis takes the 10th percentile of its spacings")
    func anisotropicTargetSpacing() {
        // z spacings 4, 5, 5, 5, 6 → NumPy percentile 10 = 4 + 0.4 · (5 − 4) = 4.4; in-plane medians 0.5.
        let spacings = [4.0, 5, 5, 5, 6].map { SpacingMM(z: $0, y: 0.5, x: 0.5) }
        let fp = Self.fingerprint(spacings: spacings, shapes: Array(repeating: VolumeShape(z: 30, y: 512, x: 512), count: 5))
        let target = ExperimentPlanner.targetSpacing(fp)
        expectClose(target[0], 4.4, absolute: 1e-12)
        #expect(target[1] == 0.5 && target[2] == 0.5)
        // Not anisotropic in voxels (z size 200 × 3 > 512): the median stays.
        let thick = Self.fingerprint(spacings: spacings, shapes: Array(repeating: VolumeShape(z: 200, y: 512, x: 512), count: 5))
        #expect(ExperimentPlanner.targetSpacing(thick)[0] == 5)
    }

    @Test("topology rules on a hand-worked case")
    func topologyRules() {
        // 1 mm isotropic 64³: pool all axes while ≥ 8 → 64→32→16→8→4: 4 pools, 5 stages, kernels all 3.
        let t = NetworkTopology(spacing: [1, 1, 1], patchSize: [64, 64, 64])
        #expect(t.poolsPerAxis == [4, 4, 4])
        #expect(t.stageCount == 5)
        #expect(t.kernelSizes.allSatisfy { $0 == [3, 3, 3] })
        // 3 mm z vs 1 mm in-plane: z joins once in-plane spacing reaches 2 mm (3/2 < 2), kernel z 1 until then.
        let a = NetworkTopology(spacing: [3, 1, 1], patchSize: [30, 64, 64])
        #expect(a.strides[1] == [1, 2, 2])
        #expect(a.kernelSizes[0] == [1, 3, 3])
        #expect(a.strides[2] == [2, 2, 2])
        #expect(a.patchSize[0] % a.divisor[0] == 0 && a.patchSize[1] % a.divisor[1] == 0)
    }

    @Test("CPU budget keeps the rules: smaller widths and patch, still divisible")
    func cpuBudget() throws {
        let fp = Self.fingerprint(spacings: Array(repeating: SpacingMM(z: 5, y: 0.45, x: 0.45), count: 20),
                                  shapes: Array(repeating: VolumeShape(z: 32, y: 512, x: 512), count: 20))
        let plans = try ExperimentPlanner.plan(fp, configuration: PlannerConfiguration(budget: .cpu))
        #expect(plans.patchSize.reduce(1, *) <= PlanningBudget.cpu.maximumPatchVoxels)
        #expect(zip(plans.patchSize, plans.topology.divisor).allSatisfy { $0 % $1 == 0 })
        #expect(plans.featuresPerStage.first == 8 && plans.featuresPerStage.max() == 128)
        #expect(plans.parameterCount < 5_000_000)
        #expect(plans.batchSize == 2)
    }

    @Test("plans record the orientation most training cases are stored in; files without it mean LPS")
    func trainingOrientation() throws {
        let ras = VolumeGeometry(shape: VolumeShape(z: 2, y: 10, x: 20), spacingMM: SpacingMM(z: 5, y: 0.5, x: 0.5))
        var lps = ras
        lps.sform = Affine(diagonal: -0.5, -0.5, 5)
        lps.qform = lps.sform
        func labelled(_ geometry: VolumeGeometry) -> (Volume<Float>, LabelMap) {
            var image = Volume<Float>(geometry: geometry, repeating: -1000), labels = LabelMap(geometry: geometry)
            image[offset: 0] = 60
            labels[offset: 0] = 1
            return (image, labels)
        }
        let cases = [("a", ras), ("b", lps), ("c", lps)].map { id, geometry in
            let (image, labels) = labelled(geometry)
            return (id: id, image: image, labels: labels)
        }
        let fp = try DatasetFingerprint.compute(cases: cases, datasetName: "D")
        #expect(fp.orientations == ["RAS", "LPS", "LPS"])
        #expect(fp.mostCommonOrientation == "LPS")
        var plans = try ExperimentPlanner.plan(fp)
        #expect(plans.orientation == "LPS")
        plans.orientation = nil
        #expect(plans.trainingOrientation == Reorientation.defaultModelOrientation)
        plans.orientation = "LPR"
        #expect(throws: SegmentationError.self) { try plans.validate(file: "plans.json") }
    }

    @Test("CT normalisation statistics and clipping from a fingerprint of volumes")
    func normalisation() throws {
        // Foreground values 1…200: p0.5 = 1 + 0.005·199, p99.5 = 1 + 0.995·199, mean 100.5,
        // population SD √((200² − 1)/12).
        let geometry = VolumeGeometry(shape: VolumeShape(z: 2, y: 10, x: 20), spacingMM: SpacingMM(z: 5, y: 0.5, x: 0.5))
        var image = Volume<Float>(geometry: geometry, repeating: -1000)
        var labels = LabelMap(geometry: geometry)
        for k in 0..<200 where k < 400 { image[offset: k] = Float(k + 1); labels[offset: k] = k % 2 == 0 ? 1 : 2 }
        let fp = try DatasetFingerprint.compute(cases: [("a", image, labels)], datasetName: "D")
        let p = fp.foregroundIntensity
        expectClose(p.percentile00_5, 1.995, absolute: 1e-9)
        expectClose(p.percentile99_5, 199.005, absolute: 1e-9)
        expectClose(p.mean, 100.5, absolute: 1e-9)
        expectClose(p.std, ((200.0 * 200 - 1) / 12).squareRoot(), absolute: 1e-9)
        let n = CTNormalization(p)
        expectClose(n.normalised(-1000), (1.995 - 100.5) / p.std, absolute: 1e-9)
        let tensor = try n.apply(Tensor([Float(300), 100.5], shape: [2])).scalars(as: Float.self)
        expectClose(Double(tensor[0]), (199.005 - 100.5) / p.std, absolute: 1e-5)
        expectClose(Double(tensor[1]), 0, absolute: 1e-6)
    }

    @Test("plans and fingerprints round-trip; another version is refused with a clear error")
    func versioning() throws {
        let directory = try TemporaryDirectory()
        let plans = SyntheticLesions.tinyPlans()
        let url = directory.file("plans.json")
        try plans.write(to: url)
        #expect(try SegmentationPlans.read(url) == plans)
        var other = plans
        other.version = 99
        try other.write(to: url)
        #expect(throws: SegmentationError.unsupportedPlansVersion(file: url.path, found: 99, expected: 1)) {
            try SegmentationPlans.read(url)
        }
        try Data("{\"patchSize\": [1, 2, 3]}".utf8).write(to: url)
        #expect(throws: SegmentationError.self) { try SegmentationPlans.read(url) }
    }

    @Test("a dataset without labelled voxels cannot be fingerprinted")
    func noForeground() throws {
        let (image, _) = try SyntheticLesions.makeCase(seed: 1, shape: VolumeShape(z: 4, y: 8, x: 8), lesion: false)
        #expect(throws: SegmentationError.self) {
            try DatasetFingerprint.compute(cases: [("a", image, LabelMap(geometry: image.geometry))], datasetName: "D")
        }
    }
}
