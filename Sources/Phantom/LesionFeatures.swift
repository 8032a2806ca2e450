import Foundation
import Imaging

/// The ground-truth lesion features of a case, measured from its label map and CT (issue 4's oracle).
public struct LesionFeatures: Sendable, Codable, Equatable {
    public var ichVolumeML: Double
    public var pheVolumeML: Double
    public var meanICHHU: Double
    /// Standard deviation of HU inside the ICH label (heterogeneity).
    public var ichHUSpread: Double
    public var pheToICHRatio: Double
    /// In-plane boundary length of ICH ∪ PHE over the boundary of circles of the same per-slice areas
    /// (1 for discs up to pixelation; larger for finger-like edema).
    public var irregularity: Double

    /// The feature names, in `vector` order.
    public static let names = ["ICH volume", "PHE volume", "mean ICH HU", "ICH HU spread", "PHE/ICH ratio", "irregularity"]

    /// The features as a row for the regression (volumes and ratio on a log scale).
    public var vector: [Double] {
        [log(ichVolumeML + 0.01), log(pheVolumeML + 0.01), meanICHHU, ichHUSpread, log(pheToICHRatio + 0.01), irregularity]
    }

    /// Measures a case.
    ///
    /// - Throws: `PhantomError.invalidDataset` when the label map holds no ICH or is not on the image's grid.
    public static func measure<T: VoxelScalar>(image: Volume<T>, labels: LabelMap, file: String) throws -> LesionFeatures {
        guard image.shape == labels.shape else {
            throw PhantomError.invalidDataset(file: file, detail: "label map \(labels.shape) not on the image grid \(image.shape)")
        }
        let shape = labels.shape, plane = shape.y * shape.x
        var ichCount = 0, pheCount = 0, sum = 0.0, sum2 = 0.0
        var boundary = 0.0, circle = 0.0
        let sx = labels.spacingMM.x, sy = labels.spacingMM.y
        image.withUnsafeVoxels { hu in
            labels.withUnsafeVoxels { lab in
                for k in 0..<shape.z {
                    var area = 0, faces = 0.0
                    for y in 0..<shape.y {
                        for x in 0..<shape.x {
                            let i = k * plane + y * shape.x + x
                            let l = lab[i]
                            if l == 0 { continue }
                            area += 1
                            if l == 1 {
                                ichCount += 1
                                let value = hu[i].doubleValue
                                sum += value
                                sum2 += value * value
                            } else {
                                pheCount += 1
                            }
                            if x == 0 || lab[i - 1] == 0 { faces += sy }
                            if x == shape.x - 1 || lab[i + 1] == 0 { faces += sy }
                            if y == 0 || lab[i - shape.x] == 0 { faces += sx }
                            if y == shape.y - 1 || lab[i + shape.x] == 0 { faces += sx }
                        }
                    }
                    if area > 0 {
                        boundary += faces
                        circle += 2 * (Double.pi * Double(area) * sx * sy).squareRoot()
                    }
                }
            }
        }
        guard ichCount > 0 else { throw PhantomError.invalidDataset(file: file, detail: "no ICH voxels in the label map") }
        let voxelML = labels.spacingMM.voxelVolumeML
        let mean = sum / Double(ichCount)
        let ich = Double(ichCount) * voxelML, phe = Double(pheCount) * voxelML
        // Pixel faces overestimate a smooth boundary by 4/π on average; divide it out so a disc reads ≈ 1.
        return LesionFeatures(
            ichVolumeML: ich, pheVolumeML: phe, meanICHHU: mean,
            ichHUSpread: max(sum2 / Double(ichCount) - mean * mean, 0).squareRoot(),
            pheToICHRatio: phe / ich, irregularity: boundary / max(circle, 1e-9) * Double.pi / 4)
    }
}
