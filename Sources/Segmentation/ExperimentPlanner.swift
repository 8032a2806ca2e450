import Foundation
import Imaging
import Stats

/// nnU-Net v2's `ExperimentPlanner` constants; defaults are nnU-Net v2's (`default_experiment_planner.py`).
public struct PlannerConfiguration: Sendable, Equatable {
    /// `UNet_base_num_features`: 32.
    public var baseFeatures = 32
    /// `UNet_max_features_3d`: 320.
    public var maximumFeatures = 320
    /// `UNet_featuremap_min_edge_length`: 4.
    public var minimumFeatureMapEdge = 4
    /// `UNet_reference_val_3d`: 5.6·10⁸ feature-map elements for a batch of 2 in 8 GB.
    public var referenceFeatureMapElements = 560_000_000.0
    /// `UNet_reference_val_corresp_bs_3d`: 2.
    public var referenceBatchSize = 2
    /// `gpu_memory_target_in_gb`: 8 (the reference corresponds to 8 GB).
    public var memoryTargetGB = 8.0
    /// `UNet_min_batch_size`: 2.
    public var minimumBatchSize = 2
    /// `max_dataset_covered`: one batch sees at most 5 % of the dataset's voxels.
    public var maximumDatasetFraction = 0.05
    /// `ANISO_THRESHOLD`: 3.
    public var anisotropyThreshold = 3.0
    /// Convolutions per encoder and decoder stage: 2.
    public var convolutionsPerStage = 2
    /// nnU-Net's `overwrite_target_spacing` (z, y, x) mm; `nil` derives it from the fingerprint.
    public var targetSpacingOverride: [Double]?
    /// A smaller network for CPU training; `nil` plans exactly like nnU-Net.
    public var budget: PlanningBudget?

    public init(targetSpacingOverride: [Double]? = nil, budget: PlanningBudget? = nil) {
        self.targetSpacingOverride = targetSpacingOverride
        self.budget = budget
    }
}

/// Turns a dataset fingerprint into `SegmentationPlans` by nnU-Net v2's rules for the 3d_fullres configuration.
public enum ExperimentPlanner {
    /// nnU-Net's `determine_fullres_target_spacing`: per-axis median spacing, except that an axis more than
    /// 3× coarser than the others *and* with more than 3× fewer voxels gets the 10th percentile of its
    /// spacings (never finer than the other axes).
    public static func targetSpacing(_ fingerprint: DatasetFingerprint, configuration: PlannerConfiguration = .init()) -> [Double] {
        if let override = configuration.targetSpacingOverride { return override }
        var target = fingerprint.medianSpacingMM
        let size = fingerprint.medianShape
        guard let worst = target.indices.max(by: { target[$0] < target[$1] }) else { return target }
        let others = target.indices.filter { $0 != worst }
        let otherSpacing = others.map { target[$0] }.max() ?? 0
        let otherSize = others.map { size[$0] }.min() ?? 0
        let anisotropicSpacing = target[worst] > configuration.anisotropyThreshold * otherSpacing
        let anisotropicVoxels = size[worst] * configuration.anisotropyThreshold < otherSize
        if anisotropicSpacing && anisotropicVoxels {
            var tenth = percentile(fingerprint.spacingsMM.map { $0.array[worst] }, 10)
            if tenth < otherSpacing { tenth = Swift.max(otherSpacing, tenth) + 1e-5 }
            target[worst] = tenth
        }
        return target
    }

    /// The 3d_fullres plans.
    ///
    /// - Throws: `SegmentationError.invalidConfiguration` for a non-positive spacing or an impossible budget.
    public static func plan(_ fingerprint: DatasetFingerprint, configuration: PlannerConfiguration = .init()) throws -> SegmentationPlans {
        let spacing = targetSpacing(fingerprint, configuration: configuration)
        guard spacing.count == 3, spacing.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw SegmentationError.invalidConfiguration(detail: "target spacing must be 3 positive values, got \(spacing)")
        }
        let resampledShapes = zip(fingerprint.spacingsMM, fingerprint.shapes).map { old, shape in
            (0..<3).map { (old.array[$0] / spacing[$0] * Double(shape.array[$0])).rounded(.toNearestOrEven) }
        }
        let medianShape = (0..<3).map { axis in median(resampledShapes.map { $0[axis] }) }
        let labelNames = fingerprint.labels.sorted { $0.value < $1.value }.map(\.key)
        let classes = Swift.max(labelNames.count, 2)
        let budget = configuration.budget
        if let budget, budget.baseFeatures < 1 || budget.maximumPatchVoxels < 1 || budget.batchSize < 1 {
            throw SegmentationError.invalidConfiguration(detail: "budget values must be positive: \(budget)")
        }
        let base = budget?.baseFeatures ?? configuration.baseFeatures
        let maximum = budget?.maximumFeatures ?? configuration.maximumFeatures

        // Initial patch: the aspect ratio of the spacing, scaled to 256³ voxels, clipped to the median shape.
        let inverse = spacing.map { 1 / $0 }
        let scale = Foundation.pow(256.0 * 256 * 256 / inverse.reduce(1, *), 1.0 / 3)
        let initial = zip(inverse, medianShape).map { Swift.min(($0 * scale).rounded(.toNearestOrEven), $1) }
        var topology = NetworkTopology(spacing: spacing, patchSize: initial, minimumFeatureMapEdge: configuration.minimumFeatureMapEdge)
        func estimate(_ t: NetworkTopology) -> Double {
            t.featureMapElements(patch: t.patchSize, features: NetworkTopology.features(stages: t.stageCount, base: base, maximum: maximum),
                                 classes: classes, convolutionsPerStage: configuration.convolutionsPerStage,
                                 convolutionsPerDecoderStage: configuration.convolutionsPerStage)
        }
        let reference = configuration.referenceFeatureMapElements * configuration.memoryTargetGB / 8
        func tooLarge(_ t: NetworkTopology) -> Bool {
            if estimate(t) / Double(configuration.referenceBatchSize) * 2 > reference { return true }
            if let budget, t.patchSize.reduce(1, *) > budget.maximumPatchVoxels { return true }
            return false
        }
        while tooLarge(topology) {
            // Shrink the axis that is largest relative to the median shape (ties: the last such axis, as
            // NumPy's argsort of three values) by one divisor step, the step taken after the shrink.
            var patch = topology.patchSize
            let ratios = (0..<3).map { Double(patch[$0]) / medianShape[$0] }
            let axis = (0..<3).reversed().max { ratios[$0] < ratios[$1] } ?? 0
            var trial = patch
            trial[axis] -= topology.divisor[axis]
            let step = NetworkTopology(spacing: spacing, patchSize: trial.map(Double.init),
                                       minimumFeatureMapEdge: configuration.minimumFeatureMapEdge).divisor[axis]
            patch[axis] -= step
            guard patch[axis] >= 1 else {
                throw SegmentationError.invalidConfiguration(detail: "no patch satisfies the budget \(String(describing: budget))")
            }
            topology = NetworkTopology(spacing: spacing, patchSize: patch.map(Double.init),
                                       minimumFeatureMapEdge: configuration.minimumFeatureMapEdge)
        }
        let batchSize: Int
        if let budget {
            batchSize = budget.batchSize
        } else {
            let fromMemory = (reference / estimate(topology) * Double(configuration.referenceBatchSize)).rounded(.toNearestOrEven)
            let datasetVoxels = medianShape.reduce(1, *) * Double(fingerprint.cases.count)
            let fromCoverage = (datasetVoxels * configuration.maximumDatasetFraction
                                / Double(topology.patchSize.reduce(1, *))).rounded(.toNearestOrEven)
            batchSize = Swift.max(Int(Swift.min(fromMemory, fromCoverage)), configuration.minimumBatchSize)
        }
        return SegmentationPlans(
            version: SegmentationPlans.currentVersion, datasetName: fingerprint.datasetName, targetSpacingMM: spacing,
            medianShapeAfterResampling: medianShape, patchSize: topology.patchSize, batchSize: batchSize, topology: topology,
            featuresPerStage: NetworkTopology.features(stages: topology.stageCount, base: base, maximum: maximum),
            convolutionsPerStage: configuration.convolutionsPerStage, convolutionsPerDecoderStage: configuration.convolutionsPerStage,
            labelNames: labelNames.count >= 2 ? labelNames : ["background", "foreground"],
            normalization: CTNormalization(fingerprint.foregroundIntensity), batchDice: false, budget: budget,
            orientation: fingerprint.mostCommonOrientation)
    }

    /// NumPy's linear percentile (`Stats.Descriptive.quantile`); NaN for no values.
    static func percentile(_ values: [Double], _ q: Double) -> Double {
        (try? Descriptive.quantile(values, q / 100)) ?? .nan
    }
}
