/// The element types a `Volume` may hold: HU as `Float` (Float32) or `Int16`, label maps as `UInt8`.
///
/// These are exactly the element types that map onto tensor dtypes without conversion
/// (`float32`, `int16`, `uint8`), so a volume's buffer can be handed to the tensor engine as it is.
public protocol VoxelScalar: Numeric, Comparable, Sendable, BitwiseCopyable {
    /// The element type as a value, for headers, tensors and messages.
    static var voxelType: VoxelType { get }
    /// The value as a `Double` (exact for all three types).
    var doubleValue: Double { get }
    /// The value `value` stored as this type, or `nil` when it is not representable exactly
    /// (non-integral or out of range for the integer types; non-finite for every type).
    static func exactly(_ value: Double) -> Self?
}

/// The element type of a volume, named as the tensor engine and NIfTI name it.
public enum VoxelType: String, Sendable, Codable, CaseIterable {
    case float32
    case int16
    case uint8

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .float32: 4
        case .int16: 2
        case .uint8: 1
        }
    }
}

extension Float: VoxelScalar {
    public static var voxelType: VoxelType { .float32 }
    public var doubleValue: Double { Double(self) }
    public static func exactly(_ value: Double) -> Float? {
        guard value.isFinite, abs(value) <= Double(Float.greatestFiniteMagnitude) else { return nil }
        return Float(value)
    }
}

extension Int16: VoxelScalar {
    public static var voxelType: VoxelType { .int16 }
    public var doubleValue: Double { Double(self) }
    public static func exactly(_ value: Double) -> Int16? { Int16(exactly: value) }
}

extension UInt8: VoxelScalar {
    public static var voxelType: VoxelType { .uint8 }
    public var doubleValue: Double { Double(self) }
    public static func exactly(_ value: Double) -> UInt8? { UInt8(exactly: value) }
}
