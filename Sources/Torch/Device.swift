import CTorch

/// Where a tensor's data lives. `cuda` works only when NeoICH is built against a CUDA libtorch
/// (`LIBTORCH=… LIBTORCH_CUDA=1`); Debian's libtorch is CPU-only.
public enum Device: Sendable, Equatable, CustomStringConvertible {
    case cpu
    case cuda(Int)

    public var description: String {
        switch self {
        case .cpu: "cpu"
        case .cuda(let index): "cuda:\(index)"
        }
    }

    var code: (ct_device_type, Int64) {
        switch self {
        case .cpu: (CT_CPU, 0)
        case .cuda(let index): (CT_CUDA, Int64(index))
        }
    }

    /// Parses `cpu`, `cuda` or `cuda:N`.
    public init?(_ text: String) {
        if text == "cpu" { self = .cpu; return }
        if text == "cuda" { self = .cuda(0); return }
        if text.hasPrefix("cuda:"), let index = Int(text.dropFirst(5)), index >= 0 { self = .cuda(index); return }
        return nil
    }
}
