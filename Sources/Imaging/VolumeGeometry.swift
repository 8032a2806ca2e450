/// Where a volume's voxels are: grid shape, spacing and the NIfTI qform/sform transforms.
///
/// Both transforms are carried with their codes exactly as read, so that a file written with this
/// geometry (a label map for a scan, a crop) opens aligned with the original in any viewer.
public struct VolumeGeometry: Sendable, Equatable, Codable {
    /// Grid size, (z, y, x).
    public var shape: VolumeShape
    /// Voxel spacing in mm, (z, y, x).
    public var spacingMM: SpacingMM
    /// The qform matrix (voxel (i, j, k) → world mm); meaningful when `qformCode > 0`.
    public var qform: Affine
    /// NIfTI `qform_code` (0 unknown, 1 scanner, 2 aligned, 3 Talairach, 4 MNI, 5 template).
    public var qformCode: Int
    /// The sform matrix (voxel (i, j, k) → world mm); meaningful when `sformCode > 0`.
    public var sform: Affine
    /// NIfTI `sform_code`.
    public var sformCode: Int
    /// Why `affine` is not the transform the header asks for (its sform or qform cannot place voxels), or
    /// `nil`; set by `validatingTransforms()` when a file is read.
    public var affineFallback: String?

    /// A geometry with one transform used as both qform and sform (code 1, scanner coordinates).
    ///
    /// - Parameters:
    ///   - shape: grid size (z, y, x).
    ///   - spacingMM: spacing (z, y, x).
    ///   - affine: voxel → world; `nil` means `diag(spacing x, y, z)` at the origin.
    public init(shape: VolumeShape, spacingMM: SpacingMM, affine: Affine? = nil) {
        self.shape = shape
        self.spacingMM = spacingMM
        let matrix = affine ?? Affine(diagonal: spacingMM.x, spacingMM.y, spacingMM.z)
        qform = matrix
        sform = matrix
        qformCode = 1
        sformCode = 1
    }

    /// A geometry with all fields given.
    public init(shape: VolumeShape, spacingMM: SpacingMM, qform: Affine, qformCode: Int,
                sform: Affine, sformCode: Int) {
        self.shape = shape
        self.spacingMM = spacingMM
        self.qform = qform
        self.qformCode = qformCode
        self.sform = sform
        self.sformCode = sformCode
    }

    /// The transform in force, NIfTI's precedence as nibabel's `get_best_affine`: sform when its code is
    /// set, else qform, else a plain scaling by the spacing.
    public var affine: Affine {
        if sformCode > 0 { return sform }
        if qformCode > 0 { return qform }
        return Affine(diagonal: spacingMM.x, spacingMM.y, spacingMM.z)
    }

    /// Which transform `affine` comes from: "sform", "qform" or "pixdim".
    public var affineSource: String {
        sformCode > 0 ? "sform" : (qformCode > 0 ? "qform" : "pixdim")
    }

    /// This geometry with each transform that cannot place voxels (`Affine.defect`: non-finite entries, a
    /// singular 3×3 part, a bottom row other than 0 0 0 1) switched off (code 0), so that `affine` falls
    /// back from sform to qform to pixdim scaling as NIfTI's precedence does; `affineFallback` says which
    /// transform was dropped and why.
    public func validatingTransforms() -> VolumeGeometry {
        var out = self
        var notes: [String] = []
        if sformCode > 0, let defect = sform.defect {
            out.sformCode = 0
            notes.append("sform (sform_code \(sformCode)) ignored: \(defect)")
        }
        if qformCode > 0, let defect = qform.defect {
            out.qformCode = 0
            notes.append("qform (qform_code \(qformCode)) ignored: \(defect)")
        }
        guard !notes.isEmpty else { return self }
        out.affineFallback = notes.joined(separator: "; ") + "; voxels are placed by the \(out.affineSource)"
        return out
    }

    /// The orientation code of the voxel axes (x, y, z), e.g. "RAS", "LPS".
    public var orientationCode: String { affine.orientationCode }

    /// The world position (mm) of a voxel position in (z, y, x) order.
    public func world(ofVoxel p: VoxelPoint) -> WorldPointMM { affine.world(ofVoxel: p) }

    /// The geometry of a sub-grid of `shape` whose voxel (0, 0, 0) is this grid's `origin` (may lie outside).
    public func subgrid(origin: VoxelIndex, shape: VolumeShape) -> VolumeGeometry {
        VolumeGeometry(shape: shape, spacingMM: spacingMM,
                       qform: qform.translated(byVoxels: origin), qformCode: qformCode,
                       sform: sform.translated(byVoxels: origin), sformCode: sformCode)
    }

    /// A description of how `other` differs from this geometry, or `nil` when both describe the same grid
    /// (same shape, spacing within `toleranceMM`, and best affines equal within `toleranceMM`).
    ///
    /// The tolerance absorbs float32 storage of the NIfTI-1 header (nnU-Net's integrity check compares
    /// spacing, origin and direction with a tolerance in the same way).
    public func mismatch(with other: VolumeGeometry, toleranceMM: Double = 1e-3) -> String? {
        if shape != other.shape { return "shape \(other.shape) ≠ \(shape)" }
        let spacingDifference = zip(spacingMM.array, other.spacingMM.array).map { abs($0 - $1) }.max() ?? 0
        if spacingDifference > toleranceMM { return "spacing \(other.spacingMM) ≠ \(spacingMM)" }
        let affineDifference = affine.maximumDifference(to: other.affine)
        if affineDifference > toleranceMM {
            return "affine differs by up to \(affineDifference) (\(other.affine.rows) ≠ \(affine.rows))"
        }
        return nil
    }
}
