import Foundation
import Imaging

/// Everything needed to build, train and run one 3-D full-resolution U-Net configuration: nnU-Net's
/// `plans.json` (3d_fullres) as a typed, versioned file.
///
/// Arrays are in NeoICH's (z, y, x) order, which for head CT is also nnU-Net's transposed order (coarsest axis
/// first), so `patchSize`, `strides` and `kernelSizes` read exactly like nnU-Net's.
public struct SegmentationPlans: Codable, Sendable, Equatable {
    /// The plans format this build writes and reads.
    public static let currentVersion = 1

    public var version: Int
    public var datasetName: String
    /// Spacing the network works at, (z, y, x) mm.
    public var targetSpacingMM: [Double]
    /// Median case shape after resampling to `targetSpacingMM`.
    public var medianShapeAfterResampling: [Double]
    public var patchSize: [Int]
    public var batchSize: Int
    public var topology: NetworkTopology
    /// Feature widths per encoder stage.
    public var featuresPerStage: [Int]
    public var convolutionsPerStage: Int
    public var convolutionsPerDecoderStage: Int
    /// Label names in value order (0 background, 1 ICH, 2 PHE).
    public var labelNames: [String]
    public var normalization: CTNormalization
    /// nnU-Net sums Dice over the batch for 3d_fullres when a lowres configuration exists; NeoICH always plans
    /// fullres only and keeps nnU-Net's choice for that case (false).
    public var batchDice: Bool
    /// The budget the plan was made under (`nil`: nnU-Net's defaults).
    public var budget: PlanningBudget?
    /// The voxel-axis orientation of the training cases (e.g. "LPS"); every scan is reoriented to it before
    /// prediction. `nil` in files written before the field existed: `Reorientation.defaultModelOrientation`.
    public var orientation: String?
    /// The registered network these plans build (`SegmentationNetworks`); `nil` (every plans file written before
    /// the field existed): `SegmentationNetworks.defaultName`, nnU-Net's PlainConvUNet.
    public var network: String?

    /// The network these plans build.
    public var networkName: String { network ?? SegmentationNetworks.defaultName }

    /// The orientation the network expects its input in.
    public var trainingOrientation: String { orientation ?? Reorientation.defaultModelOrientation }

    public init(version: Int = SegmentationPlans.currentVersion, datasetName: String, targetSpacingMM: [Double],
                medianShapeAfterResampling: [Double], patchSize: [Int], batchSize: Int, topology: NetworkTopology,
                featuresPerStage: [Int], convolutionsPerStage: Int = 2, convolutionsPerDecoderStage: Int = 2,
                labelNames: [String], normalization: CTNormalization, batchDice: Bool = false, budget: PlanningBudget? = nil,
                orientation: String? = nil, network: String? = nil) {
        self.version = version
        self.network = network
        self.datasetName = datasetName
        self.targetSpacingMM = targetSpacingMM
        self.medianShapeAfterResampling = medianShapeAfterResampling
        self.patchSize = patchSize
        self.batchSize = batchSize
        self.topology = topology
        self.featuresPerStage = featuresPerStage
        self.convolutionsPerStage = convolutionsPerStage
        self.convolutionsPerDecoderStage = convolutionsPerDecoderStage
        self.labelNames = labelNames
        self.normalization = normalization
        self.batchDice = batchDice
        self.budget = budget
        self.orientation = orientation
    }

    /// The number of output classes including background.
    public var classCount: Int { labelNames.count }

    /// Whether one axis is much coarser than the others (nnU-Net's `do_dummy_2d_data_aug` rule: the largest
    /// patch edge is more than 3× the first one), which switches rotation to in-plane only.
    public var isAnisotropicPatch: Bool {
        guard let largest = patchSize.max(), let first = patchSize.first, first > 0 else { return false }
        return Double(largest) / Double(first) > 3
    }

    /// Parameters of the PlainConvUNet these plans build (convs with bias, affine instance norms,
    /// transposed convs with bias, one segmentation head per decoder stage).
    public var parameterCount: Int {
        let stages = topology.stageCount
        var inputs = 1, total = 0
        for s in 0..<stages {
            let k = topology.kernelSizes[s].reduce(1, *), f = featuresPerStage[s]
            total += (inputs * k + 1) * f + (convolutionsPerStage - 1) * (f * k + 1) * f + convolutionsPerStage * 2 * f
            inputs = f
        }
        for s in stride(from: stages - 2, through: 0, by: -1) {
            let f = featuresPerStage[s], below = featuresPerStage[s + 1]
            let k = topology.kernelSizes[s].reduce(1, *), up = topology.strides[s + 1].reduce(1, *)
            total += below * f * up + f  // transposed conv
            total += (2 * f * k + 1) * f + (convolutionsPerDecoderStage - 1) * (f * k + 1) * f + convolutionsPerDecoderStage * 2 * f
            total += f * classCount + classCount  // segmentation head
        }
        return total
    }

    /// Reads a plans file, refusing other versions before decoding the rest.
    ///
    /// - Throws: `SegmentationError.unsupportedPlansVersion` / `.invalidPlans`, `ImagingError.fileNotFound`.
    public static func read(_ url: URL) throws -> SegmentationPlans {
        let plans = try VersionedJSON.read(SegmentationPlans.self, from: url, expectedVersion: currentVersion)
        try plans.validate(file: url.path)
        return plans
    }

    /// Writes pretty-printed JSON atomically.
    public func write(to url: URL) throws {
        try VersionedJSON.write(self, to: url)
    }

    /// Checks the internal consistency that the network and the sliding window rely on.
    public func validate(file: String) throws {
        let stages = topology.stageCount
        func fail(_ detail: String) -> SegmentationError { .invalidPlans(file: file, detail: detail) }
        guard SegmentationNetworks.names.contains(networkName) else {
            throw fail("unknown network \"\(networkName)\" (known: \(SegmentationNetworks.names.joined(separator: ", ")))")
        }
        guard targetSpacingMM.count == 3, targetSpacingMM.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw fail("targetSpacingMM must be 3 positive values, got \(targetSpacingMM)")
        }
        guard patchSize.count == 3, stages >= 1, topology.kernelSizes.count == stages, featuresPerStage.count == stages,
              topology.strides.allSatisfy({ $0.count == 3 }), topology.kernelSizes.allSatisfy({ $0.count == 3 }) else {
            throw fail("patch, strides, kernels and features must agree on 3 axes and \(stages) stages")
        }
        for axis in 0..<3 where patchSize[axis] % topology.divisor[axis] != 0 {
            throw fail("patch \(patchSize) is not divisible by \(topology.divisor) on axis \(axis)")
        }
        guard labelNames.count >= 2, batchSize >= 1, convolutionsPerStage >= 1, convolutionsPerDecoderStage >= 1 else {
            throw fail("needs ≥ 2 labels, batch ≥ 1 and ≥ 1 conv per stage")
        }
        if let orientation {
            do { try Reorientation.validate(code: orientation) } catch { throw fail("\(error)") }
        }
    }
}

/// A smaller network for CPU training, obtained with nnU-Net's own rules: the patch shrinks along the axis
/// that is largest relative to the median shape (as the planner's memory loop) until it holds at most
/// `maximumPatchVoxels`, and widths are `min(maximumFeatures, baseFeatures · 2^i)`.
public struct PlanningBudget: Codable, Sendable, Equatable {
    /// First-stage width (nnU-Net v2: 32).
    public var baseFeatures: Int
    /// Width cap (nnU-Net v2 3-D: 320).
    public var maximumFeatures: Int
    /// Patch size cap in voxels.
    public var maximumPatchVoxels: Int
    /// Batch size (nnU-Net's minimum is 2).
    public var batchSize: Int

    public init(baseFeatures: Int, maximumFeatures: Int, maximumPatchVoxels: Int, batchSize: Int) {
        self.baseFeatures = baseFeatures
        self.maximumFeatures = maximumFeatures
        self.maximumPatchVoxels = maximumPatchVoxels
        self.batchSize = batchSize
    }

    /// For a 2-core CPU: widths 8…128, patches up to 16·128·128 voxels, batch 2.
    public static let cpu = PlanningBudget(baseFeatures: 8, maximumFeatures: 128, maximumPatchVoxels: 16 * 128 * 128, batchSize: 2)
}
