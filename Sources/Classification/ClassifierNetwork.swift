import Foundation
import NN

/// A lesion classifier network: what training, evaluation, fine-tuning and the attribution methods need of it.
///
/// Conforming networks name their parameters like their PyTorch reference (so weights move without renaming),
/// can capture the activation `"pooled"` (the input of the last layer, what last-layer fine-tuning re-weights),
/// and are registered by name in `ClassifierArchitectures`.
public protocol ClassifierNetwork: Module, ExplainableModel {
    /// Logits (N, classes) plus the named intermediate activations in `capture`, kept in the autograd graph.
    func forward(_ x: Tensor, mode: Mode, capture: Set<String>, relu: ReLUKind) throws -> (logits: Tensor, activations: [String: Tensor])
    /// The activations between which `forward(_:from:through:mode:)` can run, in order, from "input" to "logits";
    /// the names between the first and the last two delimit `trainableStages`.
    var boundaryNames: [String] { get }
    /// Runs the part of the network from the activation `start` to the activation `end` (both `boundaryNames`).
    func forward(_ h: Tensor, from start: String, through end: String, mode: Mode) throws -> Tensor
    /// The stages that fine-tuning may train with the last layer, first to last; stage i maps
    /// `boundaryNames[i + 1]` to `boundaryNames[i + 2]`.
    var trainableStages: [any Module] { get }
    /// The last layer: "pooled" → logits (what `neoich finetune` trains by default).
    var lastLayer: any Layer { get }
}

extension ClassifierNetwork {
    /// Logits (N, classes).
    public func forward(_ x: Tensor, mode: Mode) throws -> Tensor {
        try forward(x, mode: mode, capture: [], relu: .standard).logits
    }

    /// Log-probabilities (N, classes), the output layer the classifiers are trained with (NLL loss).
    public func logProbabilities(_ x: Tensor, mode: Mode) throws -> Tensor {
        try forward(x, mode: mode).logSoftmax(dim: 1)
    }

    /// Logits plus the activations in `capture`, with ordinary ReLUs.
    public func forward(_ x: Tensor, mode: Mode, capture: Set<String>) throws -> (logits: Tensor, activations: [String: Tensor]) {
        try forward(x, mode: mode, capture: capture, relu: .standard)
    }

    /// Runs on the network's device: an input elsewhere (the CPU) is moved there and the logits back, both
    /// differentiably, so that input gradients arrive on the input's device; captured activations stay on the
    /// network's device (gradients with respect to them are taken there).
    public func evaluate(_ input: Tensor, capture: Set<String>, relu: ReLUKind) throws -> (logits: Tensor, activations: [String: Tensor]) {
        let device = self.device
        guard input.device != device else { return try forward(input, mode: .inference, capture: capture, relu: relu) }
        let (logits, activations) = try forward(input.to(device: device), mode: .inference, capture: capture, relu: relu)
        return (try logits.to(device: input.device), activations)
    }
}

/// The classifier networks a model card can name (`"network"`), each built from the card's `architecture` block.
///
/// Adding a network is one file with the type and one line in `builtIn`; `register` adds one at run time.
public enum ClassifierArchitectures {
    /// Builds a freshly initialised network from the card's architecture block.
    public typealias Builder = @Sendable (ResNet3DConfiguration, Generator) throws -> any ClassifierNetwork

    /// The network of cards that name none (every card written before the field existed).
    public static let defaultName = "ResNet3D"

    static let builtIn: [String: Builder] = [
        "ResNet3D": { try ResNet3D($0, generator: $1) },
    ]

    private static let registry = ArchitectureRegistry<Builder>(builtIn)

    /// Makes `name` available to model cards.
    public static func register(_ name: String, _ builder: @escaping Builder) { registry.register(name, builder) }

    /// The registered names, sorted.
    public static var names: [String] { registry.names }

    /// A freshly initialised network `name` (nil: `defaultName`) of `architecture`.
    ///
    /// - Throws: `ClassificationError.invalidArgument` for an unregistered name; the network's own errors.
    public static func make(_ name: String?, architecture: ResNet3DConfiguration, generator: Generator) throws -> any ClassifierNetwork {
        let name = name ?? defaultName
        guard let builder = registry[name] else {
            throw ClassificationError.invalidArgument("unknown classifier network \"\(name)\" (known: \(names.joined(separator: ", ")))")
        }
        return try builder(architecture, generator)
    }
}

extension ResNet3D: ClassifierNetwork {
    public var attributionLayers: [String] { ["stem"] + configuration.layers.indices.map { "layer\($0 + 1)" } }

    public var defaultCAMLayer: String { "layer\(configuration.layers.count)" }

    public var trainableStages: [any Module] { stages }

    public var lastLayer: any Layer { fc }

    public func voxelReplacement(for input: Tensor, fullFraction: Double) throws -> (any VoxelReplacement)? {
        // The incremental recomputation works on CPU activations; on a GPU whole forwards are used.
        guard device == .cpu, input.device == .cpu else { return nil }
        return try ResNet3DVoxelReplacement(network: self, input: input, fullFraction: fullFraction)
    }
}

extension ClassifierNetwork {
    /// The network compiled into a oneDNN graph for inputs of `inputShape` (networks that are `FusedLowerable`):
    /// the graph up to "pooled", then `lastLayer` in libtorch; logits (N, classes) as `forward(_:mode: .inference)`.
    ///
    /// - Throws: `ModuleError.invalidConfiguration` for a network that cannot be compiled.
    public func fusedInference(inputShape: [Int], precision: FusedPrecision = .float32) throws -> FusedInference {
        guard let lowerable = self as? any FusedLowerable else {
            throw ModuleError.invalidConfiguration("\(type(of: self)) has no fused inference graph")
        }
        return try FusedInference(lowerable, inputShape: inputShape, precision: precision) { [lastLayer] pooled in
            try lastLayer.forward(pooled.flattened(from: 1), mode: .inference)
        }
    }
}
