import Foundation
import Imaging
import Torch

/// nnU-Net's `CTNormalization`: clip to the 0.5 / 99.5 percentiles of the foreground voxels of the whole
/// training set, then subtract the foreground mean and divide by the foreground standard deviation.
///
/// The statistics come from `DatasetFingerprint`; the same values are applied to every case at training and
/// prediction time (nnU-Net normalises before resampling, and so does NeoICH).
public struct CTNormalization: Codable, Sendable, Equatable {
    /// Lower clipping bound (HU): the foreground 0.5th percentile.
    public var lowerHU: Double
    /// Upper clipping bound (HU): the foreground 99.5th percentile.
    public var upperHU: Double
    /// Foreground mean (HU).
    public var meanHU: Double
    /// Foreground standard deviation (HU), population form as NumPy's `np.std`.
    public var stdHU: Double

    public init(lowerHU: Double, upperHU: Double, meanHU: Double, stdHU: Double) {
        self.lowerHU = lowerHU
        self.upperHU = upperHU
        self.meanHU = meanHU
        self.stdHU = stdHU
    }

    /// The normalisation derived from a fingerprint's foreground intensities.
    public init(_ properties: ForegroundIntensityProperties) {
        self.init(lowerHU: properties.percentile00_5, upperHU: properties.percentile99_5,
                  meanHU: properties.mean, stdHU: properties.std)
    }

    /// `(clip(x, lower, upper) − mean) / max(std, 1e-8)`, element-wise on a tensor of HU values.
    public func apply(_ hounsfield: Tensor) throws -> Tensor {
        try hounsfield.to(.float32).clamped(min: lowerHU, max: upperHU)
            .subtracting(meanHU).dividing(Swift.max(stdHU, 1e-8))
    }

    /// The normalised volume on the same grid.
    public func apply(_ volume: Volume<Float>) throws -> Volume<Float> {
        try Volume(tensor: apply(volume.tensor()), geometry: volume.geometry)
    }

    /// The normalised value of one HU value (for thresholds such as "air").
    public func normalised(_ hu: Double) -> Double {
        (Swift.min(Swift.max(hu, lowerHU), upperHU) - meanHU) / Swift.max(stdHU, 1e-8)
    }
}
