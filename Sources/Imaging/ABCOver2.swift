/// The ABC/2 bedside estimate of hematoma volume (Kothari et al., Stroke 1996), computed on a mask.
///
/// Convention (NeoICH): A is the largest diameter on the axial slice with the greatest lesion area; B the
/// largest extent perpendicular to A on that slice; C the number of slices containing lesion × slice
/// spacing (no ½-weighting of partial slices). Diameters are measured on the union of the voxel squares
/// (outer voxel edges, via the convex hull of voxel corners), in the grid's axial plane with the voxel
/// spacing (gantry tilt ignored). For an ellipsoid with semi-axes a, b, c: A = 2a, B = 2b, C = 2c and
/// ABC/2 = 4abc, i.e. 3/π ≈ 0.955 of the exact volume 4/3·π·abc.
public struct ABCOver2: Sendable, Codable, Equatable {
    /// Largest axial diameter, mm.
    public var aMM: Double
    /// Largest extent perpendicular to A on the same slice, mm.
    public var bMM: Double
    /// Number of lesion slices × slice spacing, mm.
    public var cMM: Double
    /// The slice (z index) of greatest area, where A and B are measured.
    public var slice: Int
    /// A·B·C / 2 in mL.
    public var volumeML: Double

    /// The estimate for the voxels at `offsets` (linear (z, y, x) offsets into `shape`); `nil` when empty.
    public init?(offsets: [Int], shape: VolumeShape, spacingMM: SpacingMM) {
        guard !offsets.isEmpty else { return nil }
        var areaPerSlice = [Int: Int]()
        for offset in offsets { areaPerSlice[offset / (shape.y * shape.x), default: 0] += 1 }
        guard let best = areaPerSlice.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) })
        else { return nil }
        var corners: [(Double, Double)] = []
        for offset in offsets where offset / (shape.y * shape.x) == best.key {
            let y = Double((offset / shape.x) % shape.y), x = Double(offset % shape.x)
            for (dy, dx) in [(-0.5, -0.5), (-0.5, 0.5), (0.5, -0.5), (0.5, 0.5)] {
                corners.append(((x + dx) * spacingMM.x, (y + dy) * spacingMM.y))
            }
        }
        let hull = ABCOver2.convexHull(corners)
        var a = 0.0, direction = (1.0, 0.0)
        for i in 0..<hull.count {
            for j in (i + 1)..<hull.count {
                let dx = hull[j].0 - hull[i].0, dy = hull[j].1 - hull[i].1
                let length = (dx * dx + dy * dy).squareRoot()
                if length > a {
                    a = length
                    direction = (dx / length, dy / length)
                }
            }
        }
        let perpendicular = (-direction.1, direction.0)
        let projections = hull.map { $0.0 * perpendicular.0 + $0.1 * perpendicular.1 }
        let b = (projections.max() ?? 0) - (projections.min() ?? 0)
        let c = Double(areaPerSlice.count) * spacingMM.z
        aMM = a
        bMM = b
        cMM = c
        slice = best.key
        volumeML = a * b * c / 2 / 1000
    }

    /// Andrew's monotone chain; returns the hull vertices counter-clockwise, without collinear points.
    static func convexHull(_ points: [(Double, Double)]) -> [(Double, Double)] {
        let sorted = points.sorted { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        guard sorted.count > 2 else { return sorted }
        func cross(_ o: (Double, Double), _ a: (Double, Double), _ b: (Double, Double)) -> Double {
            (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
        }
        var lower: [(Double, Double)] = []
        for p in sorted {
            while lower.count >= 2 && cross(lower[lower.count - 2], lower[lower.count - 1], p) <= 0 { lower.removeLast() }
            lower.append(p)
        }
        var upper: [(Double, Double)] = []
        for p in sorted.reversed() {
            while upper.count >= 2 && cross(upper[upper.count - 2], upper[upper.count - 1], p) <= 0 { upper.removeLast() }
            upper.append(p)
        }
        return Array(lower.dropLast() + upper.dropLast())
    }
}
