import Foundation
import Imaging
import Torch

/// A case ready for training or prediction: normalised (nnU-Net CT normalisation) and resampled to the
/// plans' spacing, with the voxel positions of each foreground class for oversampling.
public struct PreprocessedCase: @unchecked Sendable {
    // @unchecked: the tensors are never written after preprocessing.
    public var id: String
    /// (1, z, y, x) float32, normalised.
    public var image: Tensor
    /// (z, y, x) int64 labels, or nil at prediction time.
    public var labels: Tensor?
    /// The grid of `image`.
    public var geometry: VolumeGeometry
    /// The scan's own grid.
    public var originalGeometry: VolumeGeometry
    /// Linear (z, y, x) offsets of the voxels of each class (index = label value; [0] unused).
    public var classLocations: [[Int]]

    /// Normalises then resamples (nnU-Net's order), labels by nearest neighbour onto the same grid.
    ///
    /// In-plane cubic and nearest along z when the target spacing is anisotropic (z > 3 × in-plane, nnU-Net's
    /// separate-z rule), trilinear otherwise.
    ///
    /// - Throws: `ImagingError.invalidSpacing` for a zero, negative or non-finite spacing,
    ///   `ImagingError.geometryMismatch` when labels are not on the image's grid.
    public init(id: String, image: Volume<Float>, labels: LabelMap?, plans: SegmentationPlans) throws {
        for (axis, value) in zip(["z", "y", "x"], image.spacingMM.array) where !(value.isFinite && value > 0) {
            throw ImagingError.invalidSpacing(file: id, axis: axis, value: value)
        }
        if let labels, let problem = image.geometry.mismatch(with: labels.geometry) {
            throw ImagingError.geometryMismatch(file: id, detail: problem)
        }
        let spacing = SpacingMM(z: plans.targetSpacingMM[0], y: plans.targetSpacingMM[1], x: plans.targetSpacingMM[2])
        let target = try Resampler.geometry(image.geometry, resampledTo: spacing, file: id)
        let normalised = try plans.normalization.apply(image)
        let resampled = try Resampler.resample(normalised, onto: target, method: Self.method(for: plans.targetSpacingMM))
        self.id = id
        self.image = try resampled.tensor().clone().reshaped([1] + target.shape.array)
        geometry = target
        originalGeometry = image.geometry
        if let labels {
            let map = try Resampler.resample(labels, onto: target)
            let tensor = try map.tensor().to(.int64)
            self.labels = tensor
            var locations = [[Int]](repeating: [], count: Int(map.range?.max ?? 0) + 1)
            map.withUnsafeVoxels { v in
                for i in 0..<v.count where v[i] != 0 { locations[Int(v[i])].append(i) }
            }
            classLocations = locations
        } else {
            self.labels = nil
            classLocations = []
        }
    }

    /// nnU-Net resamples anisotropic data separately along z (order 0) and in-plane (order 3).
    static func method(for spacing: [Double]) -> ResamplingMethod {
        let inPlane = Swift.max(spacing[1], spacing[2])
        return spacing[0] > 3 * inPlane ? .cubicInPlane : .trilinear
    }
}

extension PreprocessedCase {
    /// Reads and preprocesses cases of an nnU-Net dataset.
    ///
    /// - Throws: Imaging read errors naming the file, `ImagingError.geometryMismatch` for a label map off its
    ///   image's grid.
    public static func load(_ dataset: NNUNetDataset, cases: [String], plans: SegmentationPlans) throws -> [PreprocessedCase] {
        try cases.map { id in
            let image: Volume<Float> = try NIfTIFile.read(dataset.imageURL(id))
            let labels = try NIfTIFile.readLabels(dataset.labelURL(id))
            if let problem = image.geometry.mismatch(with: labels.geometry) {
                throw ImagingError.geometryMismatch(file: dataset.labelURL(id).path, detail: problem)
            }
            return try PreprocessedCase(id: id, image: image, labels: labels, plans: plans)
        }
    }
}
