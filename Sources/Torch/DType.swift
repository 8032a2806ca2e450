import CTorch

/// Element type of a tensor.
public enum DType: Sendable, CaseIterable, CustomStringConvertible {
    case float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool

    var code: ct_dtype {
        switch self {
        case .float32: CT_FLOAT32
        case .float64: CT_FLOAT64
        case .float16: CT_FLOAT16
        case .bfloat16: CT_BFLOAT16
        case .int64: CT_INT64
        case .int32: CT_INT32
        case .int16: CT_INT16
        case .int8: CT_INT8
        case .uint8: CT_UINT8
        case .bool: CT_BOOL
        }
    }

    init(code: ct_dtype) throws {
        guard let match = DType.allCases.first(where: { $0.code == code }) else {
            throw TorchError("unknown dtype code \(code.rawValue)")
        }
        self = match
    }

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .float16, .bfloat16, .int16: 2
        case .int8, .uint8, .bool: 1
        }
    }

    public var isFloatingPoint: Bool {
        switch self {
        case .float32, .float64, .float16, .bfloat16: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .float32: "float32"
        case .float64: "float64"
        case .float16: "float16"
        case .bfloat16: "bfloat16"
        case .int64: "int64"
        case .int32: "int32"
        case .int16: "int16"
        case .int8: "int8"
        case .uint8: "uint8"
        case .bool: "bool"
        }
    }
}

/// A Swift type that has a tensor element type of the same layout.
public protocol TensorScalar: Sendable {
    static var dtype: DType { get }
}

extension Float: TensorScalar { public static var dtype: DType { .float32 } }
extension Double: TensorScalar { public static var dtype: DType { .float64 } }
extension Int64: TensorScalar { public static var dtype: DType { .int64 } }
extension Int32: TensorScalar { public static var dtype: DType { .int32 } }
extension Int16: TensorScalar { public static var dtype: DType { .int16 } }
extension Int8: TensorScalar { public static var dtype: DType { .int8 } }
extension UInt8: TensorScalar { public static var dtype: DType { .uint8 } }
extension Bool: TensorScalar { public static var dtype: DType { .bool } }
