/// NIfTI datatype codes (nifti1.h `DT_*`), with the subset NeoICH reads (uint16 too: dcm2niix writes it for
/// unsigned CT series).
public enum NIfTIDatatype: Int, Sendable, Codable, CaseIterable {
    case uint8 = 2
    case int16 = 4
    case int32 = 8
    case float32 = 16
    case float64 = 64
    case uint16 = 512

    /// Bytes per voxel.
    public var byteCount: Int {
        switch self {
        case .uint8: 1
        case .int16, .uint16: 2
        case .int32, .float32: 4
        case .float64: 8
        }
    }

    /// The lower-case name ("int16"), as nibabel names dtypes.
    public var name: String { String(describing: self) }

    /// Whether voxels of this type can be NaN or infinite.
    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

    /// The datatype that stores a `VoxelType` without conversion.
    public init(_ type: VoxelType) {
        switch type {
        case .float32: self = .float32
        case .int16: self = .int16
        case .uint8: self = .uint8
        }
    }

    /// The name of any NIfTI datatype code, supported or not (for messages).
    public static func name(ofCode code: Int) -> String {
        if let known = NIfTIDatatype(rawValue: code) { return known.name }
        let others: [Int: String] = [
            0: "unknown", 1: "binary", 32: "complex64", 128: "rgb24", 256: "int8",
            768: "uint32", 1024: "int64", 1280: "uint64", 1536: "float128", 1792: "complex128",
            2048: "complex256", 2304: "rgba32",
        ]
        return others[code] ?? "code \(code)"
    }
}

/// The two NIfTI header versions; NeoICH reads both and writes either.
public enum NIfTIFormat: String, Sendable, Codable {
    /// 348-byte header, float32 transforms and int16 dimensions.
    case nifti1 = "NIfTI-1"
    /// 540-byte header, float64 transforms and int64 dimensions.
    case nifti2 = "NIfTI-2"
}
