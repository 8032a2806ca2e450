import Torch

/// A value read from a checkpoint's pickle: the Python structure (dicts, lists, tuples, scalars) with tensors
/// rebuilt as `Tensor`.
///
/// Dicts keep their insertion order (Python dicts and `collections.OrderedDict` both do). Objects the reader
/// allows but does not interpret (e.g. `torch.device('cuda')` in nnU-Net's `init_args`) are kept as
/// `.object(name, arguments)`.
public enum PickleValue: CustomStringConvertible {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer beyond 64 bits: little-endian two's-complement bytes, as pickle's LONG1/LONG4 store it.
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case list([PickleValue])
    case tuple([PickleValue])
    case dict([(key: PickleValue, value: PickleValue)])
    case set([PickleValue])
    case tensor(Tensor)
    case object(String, [PickleValue])

    /// The value under a string key of a dict, or nil.
    public subscript(key: String) -> PickleValue? {
        guard case .dict(let items) = self else { return nil }
        return items.last { if case .string(key) = $0.key { true } else { false } }?.value
    }

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var intValue: Int? { if case .int(let i) = self { i } else { nil } }
    public var tensorValue: Tensor? { if case .tensor(let t) = self { t } else { nil } }

    /// Elements of a list or tuple.
    public var elements: [PickleValue]? {
        switch self {
        case .list(let items), .tuple(let items): items
        default: nil
        }
    }

    /// Numbers as Double (ints, floats, bools).
    public var doubleValue: Double? {
        switch self {
        case .float(let d): d
        case .int(let i): Double(i)
        case .bool(let b): b ? 1 : 0
        default: nil
        }
    }

    /// The entries of a dict whose keys are all strings and whose values are all tensors (a state dict), in order;
    /// nil for anything else.
    public var tensorDictionary: [(name: String, tensor: Tensor)]? {
        guard case .dict(let items) = self, !items.isEmpty else { return nil }
        var result: [(name: String, tensor: Tensor)] = []
        for (key, value) in items {
            guard case .string(let name) = key, case .tensor(let tensor) = value else { return nil }
            result.append((name, tensor))
        }
        return result
    }

    public var description: String { describe(depth: 0) }

    private func describe(depth: Int) -> String {
        guard depth < 6 else { return "…" }
        func join(_ items: [PickleValue]) -> String {
            items.prefix(8).map { $0.describe(depth: depth + 1) }.joined(separator: ", ") + (items.count > 8 ? ", … (\(items.count))" : "")
        }
        switch self {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return "\(i)"
        case .bigInt(let bytes): return "<\(bytes.count)-byte int>"
        case .float(let d): return "\(d)"
        case .string(let s): return "'\(s)'"
        case .bytes(let b): return "b<\(b.count) bytes>"
        case .list(let items): return "[\(join(items))]"
        case .tuple(let items): return "(\(join(items)))"
        case .set(let items): return "{\(join(items))}"
        case .dict(let items):
            let shown = items.prefix(8).map { "\($0.key.describe(depth: depth + 1)): \($0.value.describe(depth: depth + 1))" }
            return "{\(shown.joined(separator: ", "))\(items.count > 8 ? ", … (\(items.count))" : "")}"
        case .tensor(let t): return "tensor(\(t.dtype), \(t.shape))"
        case .object(let name, let args): return "\(name)(\(join(args)))"
        }
    }
}
