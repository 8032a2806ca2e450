import Classification
import Foundation
import Imaging
import NN
import Segmentation
import Stats

/// Tiny untrained models and tiny synthetic CTs for testing the plumbing (pipeline, reader, browser test)
/// in seconds. The models' outputs are arbitrary but deterministic; they say nothing about accuracy and
/// their cards say so.
public enum PlumbingFixtures {
    /// Grid of the tiny CTs: 8 slices of 64×64, 2 mm × 1 mm × 1 mm (z, y, x).
    public static let shape = VolumeShape(z: 8, y: 64, x: 64)
    public static let spacing = SpacingMM(z: 2, y: 1, x: 1)

    /// Writes an untrained 2-stage U-Net (patch 8×32×32) and an untrained 2-stage ResNet3D (crop 8×32×32)
    /// as model folders under `root` (`segmentation/`, `classifier/`).
    ///
    /// - Returns: the two folders.
    /// - Throws: errors creating the networks or writing the files.
    @discardableResult
    public static func writeUntrainedModels(to root: URL, seed: UInt64 = 1) throws -> ModelLocations {
        let locations = ModelLocations(segmentation: root.appendingPathComponent("segmentation"),
                                       classifier: root.appendingPathComponent("classifier"))
        let plans = tinyPlans()
        let network = try SegmentationNetworks.make(plans, generator: Generator(seed: seed))
        try SegmentationModel(plans: plans, network: network).write(to: locations.segmentation)
        let card = ClassifierModelCard(
            name: "untrained-tiny-resnet (plumbing tests)",
            notice: "Untrained tiny model for software tests: its output means nothing. Not for clinical use.",
            architecture: ResNet3DConfiguration(block: .basic, layers: [1, 1], width: 4),
            cropSize: VolumeShape(z: 8, y: 32, x: 32), threshold: 0.5)
        try ClassifierModel(card: card, seed: seed).save(to: locations.classifier)
        return locations
    }

    /// Plans for the tiny U-Net: no resampling of `shape` CTs (target spacing = `spacing`).
    static func tinyPlans() -> SegmentationPlans {
        let patch = [8, 32, 32]
        var topology = NetworkTopology(spacing: spacing.array, patchSize: patch.map(Double.init))
        topology.strides = [[1, 1, 1], [2, 2, 2]]
        topology.kernelSizes = [[3, 3, 3], [3, 3, 3]]
        topology.poolsPerAxis = [1, 1, 1]
        topology.divisor = [2, 2, 2]
        topology.patchSize = patch
        return SegmentationPlans(
            datasetName: "PlumbingTiny", targetSpacingMM: spacing.array, medianShapeAfterResampling: shape.array.map(Double.init),
            patchSize: patch, batchSize: 1, topology: topology, featuresPerStage: [4, 8],
            labelNames: ["background", "ICH", "PHE"],
            normalization: CTNormalization(lowerHU: 0, upperHU: 100, meanHU: 40, stdHU: 20))
    }

    /// A tiny head CT: air (−1000 HU), an ellipsoidal head (35 HU) and a bright blob (70 HU) inside a
    /// darker rim (18 HU), with Gaussian noise (SD 4 HU); RAS affine with 1 mm × 1 mm × 2 mm voxels.
    public static func syntheticCT(seed: UInt64 = 0) -> Volume<Float> {
        var random = SplitMix64(seed: seed)
        var image = Volume<Float>(geometry: VolumeGeometry(shape: shape, spacingMM: spacing), repeating: -1000)
        let cz = 3.5 + random.uniform(-0.5, 0.5), cy = 32 + random.uniform(-6, 6), cx = 32 + random.uniform(-8, 8)
        let blob = random.uniform(5, 8), rim = blob + 4
        for z in 0..<shape.z {
            for y in 0..<shape.y {
                for x in 0..<shape.x {
                    let hy = (Double(y) - 31.5) / 28, hx = (Double(x) - 31.5) / 24
                    guard hy * hy + hx * hx <= 1 else { continue }
                    let dz = (Double(z) - cz) * 2, dy = Double(y) - cy, dx = Double(x) - cx
                    let d = (dz * dz + dy * dy + dx * dx).squareRoot()
                    let base = d <= blob ? 70.0 : d <= rim ? 18.0 : 35.0
                    let u = max(random.uniform(0, 1), 1e-12), v = random.uniform(0, 1)
                    image[z, y, x] = Float(base + 4 * (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * .pi * v))
                }
            }
        }
        return image
    }
}
