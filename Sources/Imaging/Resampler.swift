import Foundation
import Torch

/// How image intensities are interpolated when a volume changes grid.
public enum ResamplingMethod: String, Sendable, Codable {
    /// Trilinear (libtorch `interpolate`, align_corners = false).
    case trilinear
    /// nnU-Net's choice for anisotropic CT: cubic in-plane (bicubic convolution per slice) and nearest along z,
    /// so that thick slices are never blended. (nnU-Net uses spline order 3 in-plane; libtorch's bicubic is
    /// Keys' cubic convolution, which differs slightly near edges.)
    case cubicInPlane
    /// Nearest neighbour (label maps).
    case nearest
}

/// Resamples volumes and label maps to a new spacing or grid with libtorch, keeping them in world space.
///
/// Convention (PyTorch `align_corners = false`, scikit-image `resize`): the grid's outer voxel *edges* stay
/// fixed, so voxel i′ of the new grid samples old position `(i′ + ½)·n/n′ − ½` on each axis, and the affine is
/// updated to match (`affine · [scale, offset]`). The new spacing is `old spacing · n/n′`, which equals the
/// requested spacing up to the rounding of n′.
public enum Resampler {
    /// The grid of `n′ = round(n · s / s′)` voxels per axis covering the same extent as `geometry`.
    ///
    /// - Throws: `ImagingError.invalidSpacing` for a target spacing that is not finite and positive,
    ///   `.invalidDimensions` when the new grid would pass `limits` (e.g. 50 mm pixels resampled to 0.5 mm).
    public static func geometry(_ geometry: VolumeGeometry, resampledTo spacing: SpacingMM,
                                limits: ImageLimits = .standard, file: String = "(resampled grid)") throws -> VolumeGeometry {
        for (axis, value) in zip(["z", "y", "x"], spacing.array) where !(value.isFinite && value > 0) {
            throw ImagingError.invalidSpacing(file: "(target spacing)", axis: axis, value: value)
        }
        let old = geometry.shape, s = geometry.spacingMM
        var sizes: [Int] = []
        for (axis, count, from, to) in [("z", old.z, s.z, spacing.z), ("y", old.y, s.y, spacing.y), ("x", old.x, s.x, spacing.x)] {
            let size = (Double(count) * from / to).rounded()
            guard size.isFinite, size <= Double(limits.maximumAxisVoxels) else {
                throw ImagingError.invalidDimensions(
                    file: file, detail: "\(count) voxels of \(from) mm on axis \(axis) resampled to \(to) mm "
                        + "make \(size) voxels; at most \(limits.maximumAxisVoxels) per axis")
            }
            sizes.append(max(1, Int(size)))
        }
        let shape = VolumeShape(z: sizes[0], y: sizes[1], x: sizes[2])
        guard let voxels = ImageLimits.product(sizes[0], sizes[1], sizes[2]), voxels <= limits.maximumVoxels else {
            throw ImagingError.invalidDimensions(
                file: file, detail: "\(shape) at \(spacing) exceeds the limit of \(limits.maximumVoxels) voxels")
        }
        return Self.geometry(geometry, resampledTo: shape)
    }

    /// The grid of `shape` covering the same extent as `geometry`.
    public static func geometry(_ geometry: VolumeGeometry, resampledTo shape: VolumeShape) -> VolumeGeometry {
        let old = geometry.shape
        // Scale and offset per axis in (z, y, x), mapping new voxel indices to old voxel indices.
        let scale = [Double(old.z) / Double(shape.z), Double(old.y) / Double(shape.y), Double(old.x) / Double(shape.x)]
        let offset = scale.map { 0.5 * $0 - 0.5 }
        // NIfTI affines act on (i, j, k) = (x, y, z).
        let index = Affine(rowMajor: [scale[2], 0, 0, offset[2],
                                      0, scale[1], 0, offset[1],
                                      0, 0, scale[0], offset[0],
                                      0, 0, 0, 1]) ?? .identity
        let spacing = SpacingMM(z: geometry.spacingMM.z * scale[0], y: geometry.spacingMM.y * scale[1],
                                x: geometry.spacingMM.x * scale[2])
        return VolumeGeometry(shape: shape, spacingMM: spacing,
                              qform: geometry.qform.multiplied(by: index), qformCode: geometry.qformCode,
                              sform: geometry.sform.multiplied(by: index), sformCode: geometry.sformCode)
    }

    /// An image on a new spacing.
    public static func resample(_ volume: Volume<Float>, toSpacing spacing: SpacingMM,
                                method: ResamplingMethod = .trilinear) throws -> Volume<Float> {
        try resample(volume, onto: geometry(volume.geometry, resampledTo: spacing), method: method)
    }

    /// A label map on a new spacing (nearest neighbour, so labels stay labels).
    public static func resample(_ labels: LabelMap, toSpacing spacing: SpacingMM) throws -> LabelMap {
        try resample(labels, onto: geometry(labels.geometry, resampledTo: spacing))
    }

    /// An image resampled onto `target`, a grid covering the same extent (e.g. back to the scan's own grid
    /// after prediction at the plan's spacing).
    public static func resample(_ volume: Volume<Float>, onto target: VolumeGeometry,
                                method: ResamplingMethod = .trilinear) throws -> Volume<Float> {
        if target.shape == volume.shape { return try Volume(geometry: target, buffer: volume.buffer) }
        let size = target.shape.array
        let x = try volume.tensor().reshaped([1, 1] + volume.shape.array)
        let y: Tensor
        switch method {
        case .trilinear:
            y = try x.interpolated(size: size, mode: .linear)
        case .nearest:
            y = try x.interpolated(size: size, mode: .nearest)
        case .cubicInPlane:
            // Slices as a batch for bicubic in-plane, then nearest along z.
            let slices = try x.reshaped([volume.shape.z, 1, volume.shape.y, volume.shape.x])
            let inPlane = try slices.interpolated(size: [size[1], size[2]], mode: .bicubic)
            let stacked = try inPlane.reshaped([1, 1, volume.shape.z, size[1], size[2]])
            y = try stacked.interpolated(size: size, mode: .nearest)
        }
        return try Volume(tensor: y, geometry: target)
    }

    /// A label map resampled onto `target` by nearest neighbour.
    public static func resample(_ labels: LabelMap, onto target: VolumeGeometry) throws -> LabelMap {
        if target.shape == labels.shape { return try LabelMap(geometry: target, buffer: labels.buffer) }
        let x = try labels.tensor().to(.float32).reshaped([1, 1] + labels.shape.array)
        let y = try x.interpolated(size: target.shape.array, mode: .nearest)
        return try LabelMap(tensor: y, geometry: target)
    }
}
