import Foundation
import Torch

/// How a network runs for inference.
public enum InferenceEngine: Sendable, Equatable, CustomStringConvertible {
    /// Operation by operation through libtorch (what training and the attribution methods use).
    case libtorch
    /// Compiled into a oneDNN graph (`Torch.FusedGraph`): batch norm folded, activations and residual additions
    /// fused into the convolutions, blocked layouts kept between layers.
    case fused(FusedPrecision)

    /// The process's default: what `preferred` was set to (the command line's `--engine`), else the fused float32
    /// graph where this build has it, else libtorch.
    public static var automatic: InferenceEngine {
        preferredLock.withLock { preferredEngine }
            ?? (Runtime.hasOneDNN && FusedPrecision.float32.isAvailable ? .fused(.float32) : .libtorch)
    }

    /// Sets the process's default engine (nil: back to the built-in choice).
    public static func prefer(_ engine: InferenceEngine?) {
        preferredLock.withLock { preferredEngine = engine }
    }

    private static let preferredLock = NSLock()
    nonisolated(unsafe) private static var preferredEngine: InferenceEngine?

    /// Parses `libtorch`, `fused` (float32) or `fused-bf16`.
    public init?(_ text: String) {
        switch text {
        case "libtorch": self = .libtorch
        case "fused", "fused-fp32": self = .fused(.float32)
        case "fused-bf16": self = .fused(.bfloat16)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .libtorch: "libtorch"
        case .fused(.float32): "fused"
        case .fused(.bfloat16): "fused-bf16"
        }
    }

    /// Throws when this CPU cannot run the engine (bfloat16 without avx512_bf16), naming what is missing.
    public func checkAvailable() throws {
        guard case .fused(let precision) = self else { return }
        guard Runtime.hasOneDNN else { throw TorchError("libtorch was built without oneDNN", operation: "fused inference") }
        guard FusedPrecision.float32.isAvailable else {
            throw TorchError("fused graphs \(FusedPrecision.library)", operation: "fused inference")
        }
        guard precision.isAvailable else {
            throw TorchError("bfloat16 inference needs a CPU with native bf16 instructions (avx512_bf16); this one has none",
                             operation: "fused inference")
        }
    }
}

/// A network that can describe its inference pass as a fused oneDNN graph.
public protocol FusedLowerable: AnyObject {
    /// Adds the inference pass to `graph`, starting from `graph.input`, and returns the value the network's output
    /// (or the part of it the graph computes, see `FusedInference`'s `finish`) is read from.
    func lower(into graph: FusedGraph) throws -> FusedGraph.Value
    /// False for configurations `lower` refuses; callers then run the network in libtorch.
    var canLower: Bool { get }
}

extension FusedLowerable {
    public var canLower: Bool { true }
}

/// A network compiled for one input shape, plus what turns the graph's output into the network's (e.g. a
/// classifier's flatten and fully connected layer, run in libtorch).
public final class FusedInference: @unchecked Sendable {
    public let graph: FusedGraph
    let finish: (Tensor) throws -> Tensor

    public init(_ network: some FusedLowerable, inputShape: [Int], precision: FusedPrecision = .float32,
                finish: @escaping (Tensor) throws -> Tensor = { $0 }) throws {
        graph = try FusedGraph(inputShape: inputShape, precision: precision)
        try graph.markOutput(network.lower(into: graph))
        self.finish = finish
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        let x = input.dtype == .float32 ? input : try input.to(.float32)
        guard let output = try graph.run(x).first else { throw TorchError("no output", operation: "fused inference") }
        return try GradMode.withoutGrad { try finish(output) }
    }
}

/// Compiled graphs of one network by input shape, built on first use (a sliding window sees one or two shapes).
public final class FusedInferenceCache: @unchecked Sendable {
    private let build: ([Int]) throws -> FusedInference
    private var graphs: [[Int]: FusedInference] = [:]
    private let lock = NSLock()

    public init(_ build: @escaping ([Int]) throws -> FusedInference) { self.build = build }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        let shape = input.shape
        let compiled = try lock.withLock {
            if let cached = graphs[shape] { return cached }
            let made = try build(shape)
            graphs[shape] = made
            return made
        }
        return try compiled(input)
    }
}

/// The compiled graphs of every live network, so that any caller (a predictor made per case, a model evaluated
/// between training epochs) runs a network fused without compiling it again — and never on stale weights: a
/// network's graphs are dropped when the version counters of its parameters and buffers change (an optimizer step,
/// a loaded state dict), and when the network is gone.
public enum FusedInferenceCaches {
    private final class Entry {
        weak var module: (any Module)?
        let versions: [Int]
        let precision: FusedPrecision
        let cache: FusedInferenceCache
        init(module: any Module, versions: [Int], precision: FusedPrecision, cache: FusedInferenceCache) {
            self.module = module
            self.versions = versions
            self.precision = precision
            self.cache = cache
        }
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var entries: [ObjectIdentifier: Entry] = [:]

    /// `module`'s output for `input` through its compiled graph for `input.shape` in `precision`, compiled by
    /// `build` when there is none yet (or the weights changed).
    public static func run(_ module: any Module, precision: FusedPrecision, input: Tensor,
                           build: @escaping ([Int]) throws -> FusedInference) throws -> Tensor {
        let versions = module.stateDict().map(\.tensor.version)
        let key = ObjectIdentifier(module)
        let cache = lock.withLock {
            entries = entries.filter { $0.value.module != nil }
            if let entry = entries[key], entry.module === module, entry.versions == versions, entry.precision == precision {
                return entry.cache
            }
            let made = FusedInferenceCache(build)
            entries[key] = Entry(module: module, versions: versions, precision: precision, cache: made)
            return made
        }
        return try cache(input)
    }
}

extension Conv3d {
    /// Weight and bias of this convolution followed by `norm` in inference mode, as one convolution:
    /// w·γ/√(σ²+ε) and (b − μ)·γ/√(σ²+ε) + β, computed in float64 (batch-norm folding).
    public func folded(with norm: BatchNorm3d?) throws -> (weight: Tensor, bias: Tensor?) {
        try GradMode.withoutGrad {
            guard let norm else { return (try weight.detached(), try bias?.detached()) }
            let scale = try norm.weight.to(.float64).dividing(norm.runningVar.to(.float64).adding(norm.eps).sqrt())
            let out = weight.shape[0]
            let w = try weight.to(.float64).multiplying(scale.reshaped([out] + Array(repeating: 1, count: weight.rank - 1)))
            let b = try (bias?.to(.float64) ?? Tensor.zeros([out], dtype: .float64))
                .subtracting(norm.runningMean.to(.float64)).multiplying(scale).adding(norm.bias.to(.float64))
            return (try w.to(.float32).contiguous(), try b.to(.float32).contiguous())
        }
    }
}
