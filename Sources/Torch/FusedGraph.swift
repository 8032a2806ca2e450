import CTorch
import Foundation

/// Number format of a fused graph's activations and weights.
public enum FusedPrecision: String, Sendable, CaseIterable, Codable {
    /// float32 throughout: the same numbers as the network run op by op, up to summation order.
    case float32
    /// bfloat16 activations and weights, float32 accumulation; only where the CPU has native bf16 instructions.
    case bfloat16

    var code: ct_fused_precision { self == .float32 ? CT_FUSED_F32 : CT_FUSED_BF16 }

    /// The oneDNN library the graphs run on and the instruction set it uses here, e.g. "oneDNN 2.6.3, AVX2".
    public static var library: String {
        var buffer = [CChar](repeating: 0, count: 128)
        guard ct_fused_describe(&buffer, Int64(buffer.count)) == CT_OK else { return "unknown" }
        return String(cString: buffer)
    }

    /// Whether this CPU runs fused graphs in this precision (bfloat16 needs avx512_bf16).
    public var isAvailable: Bool {
        var available = false
        return ct_fused_available(code, &available) == CT_OK && available
    }
}

/// The activation fused into the operation before it.
public enum FusedActivation: Sendable, Equatable {
    case identity
    case relu
    /// Leaky ReLU with this negative slope (nnU-Net: 0.01).
    case leakyReLU(Float)

    var code: (ct_fused_activation, Float) {
        switch self {
        case .identity: (CT_FUSED_IDENTITY, 0)
        case .relu: (CT_FUSED_RELU, 0)
        case .leakyReLU(let slope): (CT_FUSED_LEAKY_RELU, slope)
        }
    }
}

/// A network compiled for inference on oneDNN for one input shape (CTorch's `fused.cpp`): activations stay in
/// oneDNN's blocked layouts between layers, activations and residual additions are fused into the convolutions,
/// weights are packed once and activation buffers are reused as soon as a value is dead.
///
/// Build it operation by operation from `input`, mark the outputs, then `run` it as often as needed (runs are
/// serialised: the graph owns its activation buffers). Batch normalisation is folded into convolution weights
/// before they are added (`NN.FoldedConvolution`). No autograd: inference only.
public final class FusedGraph: @unchecked Sendable {
    /// A tensor inside the graph.
    public struct Value: Hashable, Sendable {
        let id: Int64
    }

    let handle: OpaquePointer
    public let inputShape: [Int]
    public let precision: FusedPrecision
    public private(set) var outputs: [Value] = []
    private let lock = NSLock()

    /// - Parameters:
    ///   - inputShape: (N, C, spatial…), rank 3–5, fixed for the graph's lifetime.
    ///   - precision: `.bfloat16` throws where the CPU lacks native bf16 instructions.
    public init(inputShape: [Int], precision: FusedPrecision = .float32) throws {
        var out: OpaquePointer?
        try withInt64s(inputShape) { shape, rank in
            try check(ct_fused_create(shape, rank, precision.code, &out), "fused graph")
        }
        guard let out else { throw TorchError("no graph returned", operation: "fused graph") }
        handle = out
        self.inputShape = inputShape
        self.precision = precision
    }

    deinit { ct_fused_free(handle) }

    /// The graph's input (what `run` receives).
    public var input: Value { Value(id: 0) }

    /// The shape of a value (N, C, spatial…).
    public func shape(of value: Value) throws -> [Int] {
        var shape = [Int64](repeating: 0, count: 8)
        var rank: Int64 = 0
        try check(ct_fused_shape(handle, value.id, &shape, &rank), "fused graph shape")
        return shape.prefix(Int(rank)).map(Int.init)
    }

    /// Convolution (weights (out, in, k…) as PyTorch stores them) with an optional residual value added before the
    /// activation — a ResNet block's `relu(bn(conv(x)) + shortcut)` is one operation.
    public func convolution(_ x: Value, weight: Tensor, bias: Tensor?, stride: [Int], padding: [Int],
                            dilation: [Int]? = nil, residual: Value? = nil,
                            activation: FusedActivation = .identity) throws -> Value {
        let n = weight.rank - 2
        let dilation = dilation ?? Array(repeating: 1, count: n)
        guard stride.count == n, padding.count == n, dilation.count == n else {
            throw TorchError("stride, padding and dilation need \(n) values", operation: "fused convolution")
        }
        let (act, alpha) = activation.code
        var out: Int64 = -1
        try withInt64s(stride) { s, _ in
            try withInt64s(padding) { p, _ in
                try withInt64s(dilation) { d, _ in
                    try check(ct_fused_conv(handle, x.id, weight.handle, optionalHandle(bias), s, p, d, residual?.id ?? -1,
                                            act, alpha, &out), "fused convolution \(weight.shape)")
                }
            }
        }
        return Value(id: out)
    }

    /// Transposed convolution (PyTorch's weight layout (in, out, k…); groups 1, no output padding).
    public func transposedConvolution(_ x: Value, weight: Tensor, bias: Tensor?, stride: [Int],
                                      padding: [Int]) throws -> Value {
        var out: Int64 = -1
        try withInt64s(stride) { s, _ in
            try withInt64s(padding) { p, _ in
                try check(ct_fused_deconv(handle, x.id, weight.handle, optionalHandle(bias), s, p, &out),
                          "fused transposed convolution \(weight.shape)")
            }
        }
        return Value(id: out)
    }

    /// Max pooling (padding never wins, as PyTorch's −∞ padding).
    public func maxPool(_ x: Value, kernel: [Int], stride: [Int], padding: [Int]) throws -> Value {
        try pool(x, max: true, kernel: kernel, stride: stride, padding: padding)
    }

    /// The mean over every spatial position: (N, C, 1, …, 1).
    public func globalAveragePool(_ x: Value) throws -> Value {
        let spatial = Array(try shape(of: x).dropFirst(2))
        return try pool(x, max: false, kernel: spatial, stride: spatial, padding: spatial.map { _ in 0 })
    }

    private func pool(_ x: Value, max: Bool, kernel: [Int], stride: [Int], padding: [Int]) throws -> Value {
        var out: Int64 = -1
        try withInt64s(kernel) { k, _ in
            try withInt64s(stride) { s, _ in
                try withInt64s(padding) { p, _ in
                    try check(ct_fused_pool(handle, x.id, max, k, s, p, &out), max ? "fused max pool" : "fused average pool")
                }
            }
        }
        return Value(id: out)
    }

    /// Instance normalisation (statistics per sample and channel, biased variance), then the activation.
    public func instanceNorm(_ x: Value, weight: Tensor?, bias: Tensor?, eps: Double,
                             activation: FusedActivation = .identity) throws -> Value {
        let (act, alpha) = activation.code
        var out: Int64 = -1
        try check(ct_fused_instance_norm(handle, x.id, optionalHandle(weight), optionalHandle(bias), eps, act, alpha, &out),
                  "fused instance norm")
        return Value(id: out)
    }

    /// Concatenation along the channel axis.
    public func concatenate(_ values: [Value]) throws -> Value {
        var out: Int64 = -1
        let ids = values.map(\.id)
        try check(ids.withUnsafeBufferPointer { ct_fused_concat(handle, $0.baseAddress, Int64($0.count), &out) },
                  "fused concatenation")
        return Value(id: out)
    }

    /// Makes `value` one of the tensors `run` returns (in marking order).
    public func markOutput(_ value: Value) throws {
        try check(ct_fused_mark_output(handle, value.id), "fused graph output")
        outputs.append(value)
    }

    /// Runs the graph on `input` (float32, CPU, exactly `inputShape`); returns the marked outputs as float32 tensors.
    public func run(_ input: Tensor) throws -> [Tensor] {
        guard !outputs.isEmpty else { throw TorchError("no output marked", operation: "fused graph") }
        return try lock.withLock {
            var results = [OpaquePointer?](repeating: nil, count: outputs.count)
            try check(ct_fused_run(handle, input.handle, &results), "fused graph run")
            return try results.map { pointer in
                guard let pointer else { throw TorchError("no tensor returned", operation: "fused graph run") }
                return Tensor(handle: pointer)
            }
        }
    }
}
