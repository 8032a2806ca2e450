/// The classifier input for one lesion (001_… §2.5): a fixed-size box of the scan centred on the ICH
/// centroid, HU kept on the lesion's ICH∪PHE and 0 everywhere else (also where the box leaves the scan).
public struct LesionCrop: Sendable {
    /// The ICH component this crop is centred on.
    public var lesion: Component
    /// Volume of the PHE assigned to the lesion (see `LesionAssignment`), mL.
    public var pheVolumeML: Double
    /// Whether this is the lesion with the largest ICH volume (the one the paper used).
    public var isLargest: Bool
    /// The full-scan voxel that is the crop's voxel (0, 0, 0), (z, y, x); may be negative.
    public var origin: VoxelIndex
    /// The full scan's grid.
    public var scanGeometry: VolumeGeometry
    /// The crop: HU inside the lesion's ICH∪PHE, 0 elsewhere. Its geometry is the scan's, shifted to
    /// `origin`, so it can be written as NIfTI and opens aligned with the scan.
    public var image: Volume<Float>
    /// The lesion's labels on the crop grid (1 ICH, 2 PHE, 0 elsewhere).
    public var labels: LabelMap

    /// Pastes a map computed on the crop (an attribution map, a mask) back onto the full scan grid.
    ///
    /// Crop voxels that fall outside the scan are dropped; scan voxels outside the crop get `fill`.
    ///
    /// - Parameters:
    ///   - map: a volume with the crop's shape.
    ///   - fill: value for scan voxels the crop does not cover.
    /// - Returns: a volume on `scanGeometry`.
    /// - Throws: `ImagingError.invalidArgument` when `map` does not have the crop's shape.
    public func pasteBack<T: VoxelScalar>(_ map: Volume<T>, fill: T = .zero) throws -> Volume<T> {
        guard map.shape == image.shape else {
            throw ImagingError.invalidArgument(detail: "map shape \(map.shape) ≠ crop shape \(image.shape)")
        }
        var full = Volume<T>(geometry: scanGeometry, repeating: fill)
        LesionCrop.copyOverlap(from: map, origin: VoxelIndex(z: -origin.z, y: -origin.y, x: -origin.x), into: &full)
        return full
    }

    /// Copies the overlap of `source` into `target`, where `target`'s voxel (0, 0, 0) is `source`'s `origin`.
    static func copyOverlap<T: VoxelScalar>(from source: Volume<T>, origin: VoxelIndex, into target: inout Volume<T>) {
        let s = source.shape, t = target.shape
        let z0 = max(0, -origin.z), z1 = min(t.z, s.z - origin.z)
        let y0 = max(0, -origin.y), y1 = min(t.y, s.y - origin.y)
        let x0 = max(0, -origin.x), x1 = min(t.x, s.x - origin.x)
        guard z0 < z1, y0 < y1, x0 < x1 else { return }
        source.withUnsafeVoxels { from in
            target.withUnsafeMutableVoxels { to in
                for z in z0..<z1 {
                    for y in y0..<y1 {
                        let sourceRow = s.offset(z: z + origin.z, y: y + origin.y, x: x0 + origin.x)
                        let targetRow = t.offset(z: z, y: y, x: x0)
                        for i in 0..<(x1 - x0) { to[targetRow + i] = from[sourceRow + i] }
                    }
                }
            }
        }
    }
}
