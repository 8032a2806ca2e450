/// Brings a grid into a named axis orientation ("LPS", "RAS", …) by permuting and flipping its voxel axes
/// only, and back: the exact, interpolation-free reorientation of nibabel's `as_closest_canonical` /
/// `ornt_transform` + `apply_orientation`, generalised to any target code.
///
/// The affines (qform and sform) are updated so that every voxel keeps its world position: a voxel moved
/// from source index `s` to target index `t` has `target.affine · t = source.affine · s`. `inverse` puts a
/// volume on the target grid (a label map predicted there) back onto the source grid voxel for voxel, so a
/// round trip returns the original array exactly.
///
/// Oblique grids are handled like `Affine.orientationCode`: each voxel axis is assigned the world axis its
/// column points along most (each world axis once), so the result is the closest orientation to the target,
/// not an exact one; no voxel is resampled and the affine stays the (oblique) truth.
public struct Reorientation: Sendable, Equatable {
    /// The orientation of NeoICH's synthetic cohort (`PhantomRenderer`: affine diag(−s, −s, t), voxel axes
    /// left, posterior, superior), which the bundled models were trained on. Model files that name no
    /// orientation are taken to expect it.
    public static let defaultModelOrientation = "LPS"

    /// The grid reoriented from.
    public let source: VolumeGeometry
    /// The grid reoriented to (shape and spacing permuted, affines composed with the index map).
    public let target: VolumeGeometry
    /// The source orientation code (voxel axes x, y, z), e.g. "RAS".
    public let sourceCode: String
    /// The target orientation code asked for, e.g. "LPS".
    public let targetCode: String
    /// For each target axis in NIfTI order (0 x, 1 y, 2 z), the source axis it reads.
    public let sourceAxis: [Int]
    /// For each target axis, whether it runs against its source axis.
    public let flipped: [Bool]

    /// Whether the grid already has the target orientation (the volume is returned unchanged).
    public var isIdentity: Bool { sourceAxis == [0, 1, 2] && flipped == [false, false, false] }

    /// The reorientation of `geometry` to `code`.
    ///
    /// - Parameters:
    ///   - geometry: the grid as stored; its best affine (`VolumeGeometry.affine`) decides the axes.
    ///   - code: three letters, one of L/R, one of P/A, one of I/S, in any order (e.g. "LPS", "RAS", "ASL").
    /// - Throws: `ImagingError.invalidArgument` for another code or a degenerate affine.
    public init(from geometry: VolumeGeometry, to code: String) throws {
        let targetAxes = try Self.worldAxes(of: code)
        let sourceCode = geometry.orientationCode
        guard let sourceAxes = try? Self.worldAxes(of: sourceCode) else {
            throw ImagingError.invalidArgument(detail: "the affine \(geometry.affine.rows) has no orientation (degenerate)")
        }
        var sourceAxis = [0, 0, 0], flipped = [false, false, false]
        for t in 0..<3 {
            // `worldAxes` succeeded on both codes, so every world axis appears once in each.
            let s = sourceAxes.firstIndex { $0.axis == targetAxes[t].axis } ?? t
            sourceAxis[t] = s
            flipped[t] = sourceAxes[s].positive != targetAxes[t].positive
        }
        self.source = geometry
        self.sourceCode = sourceCode
        self.targetCode = code
        self.sourceAxis = sourceAxis
        self.flipped = flipped

        // Index map: source index s = P · t + c, with P[sourceAxis[t]][t] = ±1 and c the flipped axes' last index.
        let sourceSizes = [geometry.shape.x, geometry.shape.y, geometry.shape.z]
        let sourceSpacing = [geometry.spacingMM.x, geometry.spacingMM.y, geometry.spacingMM.z]
        var map = Affine(diagonal: 0, 0, 0)
        for t in 0..<3 {
            let s = sourceAxis[t]
            map[s, t] = flipped[t] ? -1 : 1
            map[s, 3] = flipped[t] ? Double(sourceSizes[s] - 1) : 0
        }
        let sizes = (0..<3).map { sourceSizes[sourceAxis[$0]] }
        let spacing = (0..<3).map { sourceSpacing[sourceAxis[$0]] }
        // Only pixdim scaling places a grid without qform and sform; an explicit sform keeps those positions.
        let unplaced = geometry.qformCode == 0 && geometry.sformCode == 0
        var target = VolumeGeometry(
            shape: VolumeShape(z: sizes[2], y: sizes[1], x: sizes[0]),
            spacingMM: SpacingMM(z: spacing[2], y: spacing[1], x: spacing[0]),
            qform: geometry.qform.multiplied(by: map), qformCode: geometry.qformCode,
            sform: (unplaced ? geometry.affine : geometry.sform).multiplied(by: map),
            sformCode: unplaced ? 1 : geometry.sformCode)
        target.affineFallback = geometry.affineFallback
        self.target = sourceAxis == [0, 1, 2] && flipped == [false, false, false] ? geometry : target
    }

    /// `volume` (on `source`'s grid) with its voxels moved onto the target grid.
    ///
    /// - Precondition: `volume.shape == source.shape`.
    public func apply<T: VoxelScalar>(_ volume: Volume<T>) -> Volume<T> {
        precondition(volume.shape == source.shape, "volume \(volume.shape) is not on the grid \(source.shape)")
        if isIdentity { return volume }
        var out = Volume<T>(geometry: target)
        transfer(from: volume, to: &out, toTarget: true)
        return out
    }

    /// `volume` (on the target grid, e.g. labels predicted there) with its voxels moved back onto `source`'s
    /// grid; the result carries `source` exactly.
    ///
    /// - Precondition: `volume.shape == target.shape`.
    public func inverse<T: VoxelScalar>(_ volume: Volume<T>) -> Volume<T> {
        precondition(volume.shape == target.shape, "volume \(volume.shape) is not on the grid \(target.shape)")
        if isIdentity {
            var same = volume
            same.geometry = source
            return same
        }
        var out = Volume<T>(geometry: source)
        transfer(from: volume, to: &out, toTarget: false)
        return out
    }

    /// The source voxel that target voxel `index` ((z, y, x) order) holds.
    public func sourceIndex(ofTarget index: VoxelIndex) -> VoxelIndex {
        let t = [index.x, index.y, index.z]
        let sizes = [source.shape.x, source.shape.y, source.shape.z]
        var s = [0, 0, 0]
        for axis in 0..<3 {
            let a = sourceAxis[axis]
            s[a] = flipped[axis] ? sizes[a] - 1 - t[axis] : t[axis]
        }
        return VoxelIndex(z: s[2], y: s[1], x: s[0])
    }

    /// Copies every voxel between the grids, walking the target grid in memory order.
    private func transfer<T: VoxelScalar>(from input: Volume<T>, to output: inout Volume<T>, toTarget: Bool) {
        let sourceShape = source.shape, targetShape = target.shape
        let sourceStrides = [1, sourceShape.x, sourceShape.x * sourceShape.y]
        let sourceSizes = [sourceShape.x, sourceShape.y, sourceShape.z]
        var base = 0, strides = [0, 0, 0]
        for t in 0..<3 {
            let s = sourceAxis[t]
            strides[t] = flipped[t] ? -sourceStrides[s] : sourceStrides[s]
            if flipped[t] { base += (sourceSizes[s] - 1) * sourceStrides[s] }
        }
        input.withUnsafeVoxels { from in
            output.withUnsafeMutableVoxels { to in
                var targetOffset = 0
                for z in 0..<targetShape.z {
                    for y in 0..<targetShape.y {
                        var sourceOffset = base + z * strides[2] + y * strides[1]
                        for _ in 0..<targetShape.x {
                            if toTarget { to[targetOffset] = from[sourceOffset] } else { to[sourceOffset] = from[targetOffset] }
                            targetOffset += 1
                            sourceOffset += strides[0]
                        }
                    }
                }
            }
        }
    }

    /// The world axis (0 x/L–R, 1 y/P–A, 2 z/I–S) and direction of each letter of an orientation code.
    static func worldAxes(of code: String) throws -> [(axis: Int, positive: Bool)] {
        let letters: [Character: (Int, Bool)] = ["R": (0, true), "L": (0, false), "A": (1, true), "P": (1, false),
                                                 "S": (2, true), "I": (2, false)]
        let axes = code.uppercased().compactMap { letters[$0] }
        guard code.count == 3, axes.count == 3, Set(axes.map(\.0)).count == 3 else {
            throw ImagingError.invalidArgument(
                detail: "orientation \"\(code)\"; expected one letter of L/R, P/A and I/S each (e.g. \"LPS\", \"RAS\")")
        }
        return axes.map { (axis: $0.0, positive: $0.1) }
    }

    /// Checks an orientation code (as stored in a model file).
    ///
    /// - Throws: `ImagingError.invalidArgument` naming the code.
    public static func validate(code: String) throws {
        _ = try worldAxes(of: code)
    }
}
