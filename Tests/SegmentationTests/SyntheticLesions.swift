import Foundation
import Imaging
import Segmentation
import Torch

/// Small synthetic head CTs for the Segmentation tests: air around an ellipsoidal head of brain tissue
/// (35 HU), a bright hemorrhage ball (70 HU, label 1) inside a darker edema shell (18 HU, label 2), noise.
enum SyntheticLesions {
    static let shape = VolumeShape(z: 32, y: 64, x: 64)

    /// A CT and its labels; the lesion centre and radii vary with `seed`.
    static func makeCase(seed: UInt64, shape: VolumeShape = shape, spacing: SpacingMM = SpacingMM(z: 1, y: 1, x: 1),
                         lesion: Bool = true, headRadiusVoxels: [Double]? = nil) throws -> (image: Volume<Float>, labels: LabelMap) {
        var random = SplitMix(seed)
        let geometry = VolumeGeometry(shape: shape, spacingMM: spacing)
        var image = Volume<Float>(geometry: geometry, repeating: -1000)
        var labels = LabelMap(geometry: geometry)
        let cz = Double(shape.z) / 2 + random.uniform(-3, 3), cy = Double(shape.y) / 2 + random.uniform(-8, 8)
        let cx = Double(shape.x) / 2 + random.uniform(-8, 8)
        let ich = random.uniform(4, 7), phe = ich + random.uniform(2.5, 4)
        let headRadius = headRadiusVoxels ?? [Double(shape.z) * 0.45, Double(shape.y) * 0.4, Double(shape.x) * 0.4]
        for z in 0..<shape.z {
            for y in 0..<shape.y {
                for x in 0..<shape.x {
                    let hz = (Double(z) - Double(shape.z) / 2) / headRadius[0]
                    let hy = (Double(y) - Double(shape.y) / 2) / headRadius[1], hx = (Double(x) - Double(shape.x) / 2) / headRadius[2]
                    guard hz * hz + hy * hy + hx * hx <= 1 else { continue }
                    var value = 35.0
                    let d = ((Double(z) - cz) * (Double(z) - cz) + (Double(y) - cy) * (Double(y) - cy) + (Double(x) - cx) * (Double(x) - cx)).squareRoot()
                    if lesion && d <= ich { value = 70; labels[z, y, x] = 1 } else if lesion && d <= phe { value = 18; labels[z, y, x] = 2 }
                    image[z, y, x] = Float(value + random.normal() * 4)
                }
            }
        }
        return (image, labels)
    }

    /// Hand-made plans for a U-Net on 1 mm data with stride 2 on every axis at every stage after the first.
    static func tinyPlans(patch: [Int] = [16, 32, 32], features: [Int] = [4, 8, 16]) -> SegmentationPlans {
        let stages = features.count
        var topology = NetworkTopology(spacing: [1, 1, 1], patchSize: patch.map(Double.init))
        topology.strides = [[1, 1, 1]] + Array(repeating: [2, 2, 2], count: stages - 1)
        topology.kernelSizes = Array(repeating: [3, 3, 3], count: stages)
        topology.poolsPerAxis = Array(repeating: stages - 1, count: 3)
        topology.divisor = Array(repeating: 1 << (stages - 1), count: 3)
        topology.patchSize = patch
        return SegmentationPlans(
            version: SegmentationPlans.currentVersion, datasetName: "Synthetic", targetSpacingMM: [1, 1, 1],
            medianShapeAfterResampling: shape.array.map(Double.init), patchSize: patch, batchSize: 2, topology: topology,
            featuresPerStage: features, convolutionsPerStage: 2, convolutionsPerDecoderStage: 2,
            labelNames: ["background", "ICH", "PHE"],
            normalization: CTNormalization(lowerHU: 0, upperHU: 100, meanHU: 40, stdHU: 20), batchDice: false, budget: nil,
            orientation: "RAS")  // `makeCase` grids have the default diagonal (RAS) affine
    }

    struct SplitMix {
        var state: UInt64
        init(_ seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * Double(next() >> 11) / Double(1 << 53) }
        mutating func normal() -> Double {
            let u = Swift.max(uniform(0, 1), 1e-12), v = uniform(0, 1)
            return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * .pi * v)
        }
    }
}

