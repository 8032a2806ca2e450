import Foundation
import NN

/// A segmentation network: what training, sliding-window prediction and the model folder need of it.
///
/// Conforming networks name their parameters like their PyTorch reference (nnU-Net's `PlainConvUNet`: its
/// state-dict keys) and are registered by name in `SegmentationNetworks`.
public protocol SegmentationNetwork: Module {
    /// Logits per resolution, full resolution first (N, classes, z, y, x); only the first with
    /// `deepSupervision` false.
    func forward(_ input: Tensor, mode: Mode, deepSupervision: Bool) throws -> [Tensor]
    /// How the decoder upsamples (networks without a learned upsampling ignore it).
    var upsampling: UpsamplingMethod { get set }
    /// Loads a state dict saved by nnU-Net / PyTorch, accepting the network's alias keys.
    func load(nnUNetStateDict state: [String: Tensor]) throws
    /// Loads an nnU-Net v2 checkpoint's weights when its plans describe this network.
    func load(nnUNetCheckpoint checkpoint: NNUNetCheckpoint) throws
}

extension SegmentationNetwork {
    /// Full-resolution logits (N, classes, z, y, x) in inference mode.
    public func logits(_ input: Tensor) throws -> Tensor {
        guard let first = try forward(input, mode: .inference, deepSupervision: false).first else {
            throw SegmentationError.invalidConfiguration(detail: "the segmentation network produced no output")
        }
        return first
    }

    public func load(nnUNetStateDict state: [String: Tensor]) throws {
        try load(stateDict: state, strict: true)
    }

    public func load(nnUNetCheckpoint checkpoint: NNUNetCheckpoint) throws {
        throw SegmentationError.modelMismatch(file: checkpoint.source, detail: "nnU-Net checkpoints load into a PlainConvUNet only, not \(type(of: self))")
    }
}

/// The segmentation networks plans can name (`"network"`), each built from the plans.
///
/// Adding a network is one file with the type and one line in `builtIn`; `register` adds one at run time.
public enum SegmentationNetworks {
    /// Builds a freshly initialised network for the plans.
    public typealias Builder = @Sendable (SegmentationPlans, Generator) throws -> any SegmentationNetwork

    /// The network of plans that name none (every plans file written before the field existed).
    public static let defaultName = "PlainConvUNet"

    static let builtIn: [String: Builder] = [
        "PlainConvUNet": { try PlainConvUNet(UNetArchitecture($0), generator: $1) },
    ]

    private static let registry = ArchitectureRegistry<Builder>(builtIn)

    /// Makes `name` available to plans.
    public static func register(_ name: String, _ builder: @escaping Builder) { registry.register(name, builder) }

    /// The registered names, sorted.
    public static var names: [String] { registry.names }

    /// A freshly initialised network of `plans` (`plans.network`, nil: `defaultName`).
    ///
    /// - Throws: `SegmentationError.invalidConfiguration` for an unregistered name; the network's own errors.
    public static func make(_ plans: SegmentationPlans, generator: Generator) throws -> any SegmentationNetwork {
        let name = plans.networkName
        guard let builder = registry[name] else {
            throw SegmentationError.invalidConfiguration(detail: "unknown segmentation network \"\(name)\" (known: \(names.joined(separator: ", ")))")
        }
        return try builder(plans, generator)
    }
}

extension PlainConvUNet: SegmentationNetwork {}
