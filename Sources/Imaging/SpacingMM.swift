/// Voxel spacing in millimetres, (z, y, x) order: NIfTI's `pixdim[3], pixdim[2], pixdim[1]`.
public struct SpacingMM: Sendable, Hashable, Codable, CustomStringConvertible {
    public var z: Double
    public var y: Double
    public var x: Double

    public init(z: Double, y: Double, x: Double) {
        self.z = z
        self.y = y
        self.x = x
    }

    /// The volume of one voxel in millilitres (1 mL = 1000 mm³).
    public var voxelVolumeML: Double { z * y * x / 1000 }

    /// Whether every spacing is finite and strictly positive.
    public var isValid: Bool {
        [z, y, x].allSatisfy { $0.isFinite && $0 > 0 }
    }

    /// The spacings as an array `[z, y, x]`.
    public var array: [Double] { [z, y, x] }

    public var description: String { "\(z) × \(y) × \(x) mm (z×y×x)" }
}
