import Torch

/// The callables and classes a checkpoint's pickle may name: exactly what state dicts and nnU-Net / MONAI
/// checkpoints hold. Any other GLOBAL or STACK_GLOBAL is refused before anything else is read, so an
/// unpickled checkpoint can never run code.
enum PickleGlobal: Equatable {
    case orderedDict
    case rebuildTensor
    case rebuildParameter
    case rebuildParameterWithState
    case storageClass(String)
    case set
    case frozenset
    case codecsEncode
    case numpyScalar
    case numpyDtype
    case torchSize
    /// Classes kept as `.object(name, arguments)` without interpretation (`torch.device`).
    case opaque(String)

    /// The allowed global for `module.name`, or nil.
    init?(module: String, name: String) {
        switch (module, name) {
        case ("collections", "OrderedDict"): self = .orderedDict
        case ("torch._utils", "_rebuild_tensor_v2"): self = .rebuildTensor
        case ("torch._utils", "_rebuild_parameter"): self = .rebuildParameter
        case ("torch._utils", "_rebuild_parameter_with_state"): self = .rebuildParameterWithState
        case ("torch", let storage) where StorageClass.dtype(of: storage) != nil: self = .storageClass(storage)
        // Protocol 2 writes Python 3's `builtins` under its Python 2 name `__builtin__`.
        case ("builtins", "set"), ("__builtin__", "set"): self = .set
        case ("builtins", "frozenset"), ("__builtin__", "frozenset"): self = .frozenset
        // Protocol 2 pickles `bytes` as _codecs.encode(text, 'latin1').
        case ("_codecs", "encode"): self = .codecsEncode
        case ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"): self = .numpyScalar
        case ("numpy", "dtype"): self = .numpyDtype
        case ("torch", "Size"): self = .torchSize
        case ("torch", "device"): self = .opaque("torch.device")
        default: return nil
        }
    }
}

/// PyTorch's typed storage classes, as `torch.save` names them in persistent ids.
enum StorageClass {
    static func dtype(of name: String) -> DType? {
        switch name {
        case "FloatStorage": .float32
        case "DoubleStorage": .float64
        case "HalfStorage": .float16
        case "BFloat16Storage": .bfloat16
        case "LongStorage": .int64
        case "IntStorage": .int32
        case "ShortStorage": .int16
        case "CharStorage": .int8
        case "ByteStorage": .uint8
        case "BoolStorage": .bool
        default: nil
        }
    }

    static func name(of dtype: DType) -> String {
        switch dtype {
        case .float32: "FloatStorage"
        case .float64: "DoubleStorage"
        case .float16: "HalfStorage"
        case .bfloat16: "BFloat16Storage"
        case .int64: "LongStorage"
        case .int32: "IntStorage"
        case .int16: "ShortStorage"
        case .int8: "CharStorage"
        case .uint8: "ByteStorage"
        case .bool: "BoolStorage"
        }
    }
}
