import Imaging

/// Where a lesion lies relative to the head, from coordinates alone (no atlas): the side, front/back and
/// up/down of its ICH centroid against the centroid of the head (voxels above −500 HU), in the scan's
/// world frame (NIfTI RAS+: +x right, +y anterior, +z superior).
///
/// NeoICH convention: offsets within 5 mm (side) or 10 mm (the other axes) of the head centroid are called
/// midline / central. It is a coarse orientation aid for the reader, not an anatomical label.
public struct LesionLocation: Sendable, Codable, Equatable {
    /// "right", "left" or "midline".
    public var side: String
    /// "anterior", "posterior" or "central".
    public var anteroposterior: String
    /// "superior", "inferior" or "central".
    public var craniocaudal: String
    /// ICH centroid minus head centroid, world mm.
    public var offsetFromHeadCentreMM: WorldPointMM
    /// E.g. "right, anterior, superior".
    public var description: String

    /// The location of a lesion centroid given the head centroid.
    public init(lesionCentroid: WorldPointMM, headCentroid: WorldPointMM) {
        let d = WorldPointMM(x: lesionCentroid.x - headCentroid.x, y: lesionCentroid.y - headCentroid.y,
                             z: lesionCentroid.z - headCentroid.z)
        offsetFromHeadCentreMM = d
        side = abs(d.x) < 5 ? "midline" : d.x > 0 ? "right" : "left"
        anteroposterior = abs(d.y) < 10 ? "central" : d.y > 0 ? "anterior" : "posterior"
        craniocaudal = abs(d.z) < 10 ? "central" : d.z > 0 ? "superior" : "inferior"
        description = [side, anteroposterior, craniocaudal].joined(separator: ", ")
    }

    /// The world centroid of the voxels above `thresholdHU` (the head), or the grid centre when none is.
    static func headCentroid(of image: Volume<Float>, thresholdHU: Float = -500) -> WorldPointMM {
        let shape = image.shape
        var sz = 0.0, sy = 0.0, sx = 0.0, n = 0.0
        image.withUnsafeVoxels { hu in
            for z in 0..<shape.z {
                for y in 0..<shape.y {
                    let row = shape.offset(z: z, y: y, x: 0)
                    for x in 0..<shape.x where hu[row + x] > thresholdHU {
                        sz += Double(z); sy += Double(y); sx += Double(x); n += 1
                    }
                }
            }
        }
        let point = n > 0 ? VoxelPoint(z: sz / n, y: sy / n, x: sx / n)
            : VoxelPoint(z: Double(shape.z - 1) / 2, y: Double(shape.y - 1) / 2, x: Double(shape.x - 1) / 2)
        return image.geometry.world(ofVoxel: point)
    }
}
