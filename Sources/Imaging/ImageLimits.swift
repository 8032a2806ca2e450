/// The largest and smallest images NeoICH will read or create, checked before any memory is allocated.
///
/// A file header is untrusted input: a 98-byte `.nii.gz` can promise a 2048×2048×512 float image, a 544-byte
/// NIfTI-2 can hold dimensions whose product overflows, a spacing of 10²⁰ mm turns into an absurd resampled
/// grid. Every size computed from a header goes through these limits with overflow-checked arithmetic, so
/// a malformed file is refused in microseconds instead of allocating gigabytes or trapping.
///
/// The defaults sit well above any head CT (a thin-slice 512×512×640 series is 168 M voxels and 640 mm
/// would already be a whole-body z-extent at 1 mm) and well below what the 2-core / 24 GiB machines NeoICH
/// targets can hold with the network's activations on top.
public struct ImageLimits: Sendable, Equatable {
    /// Voxels in one image: 2²⁸ (268 M; 1 GiB as float32).
    public var maximumVoxels: Int = 1 << 28
    /// Voxels along any one axis.
    public var maximumAxisVoxels: Int = 4096
    /// Physical extent along any axis, in mm: far beyond a head (≈ 250 mm), short of absurd.
    public var maximumExtentMM: Double = 1000
    /// Smallest accepted spacing, in mm (micro-CT is ≈ 0.01 mm; clinical CT ≥ 0.2 mm).
    public var minimumSpacingMM: Double = 0.01
    /// Largest accepted spacing, in mm (the thickest clinical slices are 10 mm).
    public var maximumSpacingMM: Double = 30
    /// Bytes between the header and the voxels (NIfTI extensions): 64 MiB.
    public var maximumVoxelOffset: Int = 64 << 20

    public init() {}

    /// The limits in force for every read and resampling.
    public static let standard = ImageLimits()

    /// `a · b · c`, or `nil` when it overflows or any factor is negative.
    public static func product(_ factors: Int...) -> Int? {
        var total = 1
        for factor in factors {
            guard factor >= 0 else { return nil }
            let (next, overflow) = total.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            total = next
        }
        return total
    }

    /// Checks a grid of `shape` voxels of `spacing` mm.
    ///
    /// - Returns: the voxel count.
    /// - Throws: `ImagingError.invalidDimensions` or `.invalidSpacing` naming `file` and the limit.
    @discardableResult
    public func check(shape: VolumeShape, spacing: SpacingMM, file: String) throws -> Int {
        for (axis, size) in [("x", shape.x), ("y", shape.y), ("z", shape.z)] {
            guard size >= 1 else {
                throw ImagingError.invalidDimensions(file: file, detail: "size \(size) on axis \(axis); expected ≥ 1")
            }
            guard size <= maximumAxisVoxels else {
                throw ImagingError.invalidDimensions(
                    file: file, detail: "\(size) voxels on axis \(axis); NeoICH reads at most \(maximumAxisVoxels) per axis")
            }
        }
        guard let voxels = Self.product(shape.x, shape.y, shape.z), voxels <= maximumVoxels else {
            throw ImagingError.invalidDimensions(
                file: file, detail: "\(shape.x)×\(shape.y)×\(shape.z) voxels exceed the limit of \(maximumVoxels) voxels")
        }
        for (axis, value, size) in [("x", spacing.x, shape.x), ("y", spacing.y, shape.y), ("z", spacing.z, shape.z)] {
            guard value.isFinite, value >= minimumSpacingMM, value <= maximumSpacingMM else {
                throw ImagingError.invalidSpacing(file: file, axis: axis, value: value)
            }
            let extent = value * Double(size)
            guard extent <= maximumExtentMM else {
                throw ImagingError.invalidDimensions(
                    file: file, detail: "extent \(Int(extent)) mm on axis \(axis) (\(size) × \(value) mm); "
                        + "a head CT covers at most \(Int(maximumExtentMM)) mm")
            }
        }
        return voxels
    }
}
