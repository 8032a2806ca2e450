import Imaging
import NN

/// How a masked lesion crop (HU) becomes the classifier's input. Part of the model card, never implicit.
///
/// Inside ICH ∪ PHE: `(clamp(HU, lowerHU, upperHU) − lowerHU) / (upperHU − lowerHU)`, i.e. [0, 1]; outside the
/// lesion 0, as 001_… §2.5 zeroes every voxel outside ICH and PHE.
public struct CropNormalization: Codable, Sendable, Equatable {
    /// NeoICH default 0 HU: below water nothing in an acute bleed or its edema matters.
    public var lowerHU: Double
    /// NeoICH default 100 HU: above the densest acute clot.
    public var upperHU: Double

    public init(lowerHU: Double = 0, upperHU: Double = 100) {
        self.lowerHU = lowerHU
        self.upperHU = upperHU
    }

    /// The (1, z, y, x) input of one crop.
    public func input(for crop: LesionCrop) throws -> Tensor {
        let image = try crop.image.tensor()
        let mask = try crop.labels.tensor().gt(0)
        let scaled = try image.clamped(min: lowerHU, max: upperHU).subtracting(lowerHU).dividing(upperHU - lowerHU)
        let zeros = try Tensor.zeros([1], dtype: .float32)
        return try Tensor.where(mask, scaled, zeros).unsqueezed(0)
    }
}
