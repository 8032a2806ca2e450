/// A voxel position or offset on a grid, in NeoICH's (z, y, x) order; may be negative (crop origins).
public struct VoxelIndex: Sendable, Hashable, Codable, CustomStringConvertible {
    public var z: Int
    public var y: Int
    public var x: Int

    public init(z: Int, y: Int, x: Int) {
        self.z = z
        self.y = y
        self.x = x
    }

    public var description: String { "(z \(z), y \(y), x \(x))" }
}

/// The size of a grid in (z, y, x) order.
public struct VolumeShape: Sendable, Hashable, Codable, CustomStringConvertible {
    public var z: Int
    public var y: Int
    public var x: Int

    public init(z: Int, y: Int, x: Int) {
        self.z = z
        self.y = y
        self.x = x
    }

    /// The number of voxels.
    public var count: Int { z * y * x }

    /// The sizes as an array `[z, y, x]` (the tensor shape of the volume).
    public var array: [Int] { [z, y, x] }

    /// The linear (row-major, x fastest) offset of a voxel.
    @inline(__always)
    public func offset(z: Int, y: Int, x: Int) -> Int { (z * self.y + y) * self.x + x }

    /// Whether the index lies inside the grid.
    @inline(__always)
    public func contains(_ index: VoxelIndex) -> Bool {
        index.z >= 0 && index.z < z && index.y >= 0 && index.y < y && index.x >= 0 && index.x < x
    }

    public var description: String { "\(z)×\(y)×\(x) (z×y×x)" }
}

/// A point in continuous voxel coordinates, (z, y, x) order; voxel centres are at integers.
public struct VoxelPoint: Sendable, Hashable, Codable {
    public var z: Double
    public var y: Double
    public var x: Double

    public init(z: Double, y: Double, x: Double) {
        self.z = z
        self.y = y
        self.x = x
    }
}

/// A point in the scanner/world space of the affine, in millimetres, NIfTI's (x, y, z) order (RAS+ for NIfTI).
public struct WorldPointMM: Sendable, Hashable, Codable {
    public var x: Double
    public var y: Double
    public var z: Double

    public init(x: Double, y: Double, z: Double) {
        self.x = x
        self.y = y
        self.z = z
    }
}
