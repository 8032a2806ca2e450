import Foundation

/// A training checkpoint: model weights, optimizer state and JSON metadata (epoch, iteration, seed, metrics)
/// in one safetensors file, written atomically so that a killed run never leaves a corrupt checkpoint.
///
/// Tensor names are `model.<state_dict key>` and `optimizer.<state key>`; the metadata JSON is stored under
/// the `neoich.checkpoint` key of the safetensors metadata.
public struct Checkpoint<Metadata: Codable> {
    public var model: [String: Tensor]
    public var optimizer: [String: Tensor]
    public var metadata: Metadata

    public init(model: [String: Tensor], optimizer: [String: Tensor], metadata: Metadata) {
        self.model = model
        self.optimizer = optimizer
        self.metadata = metadata
    }

    static var metadataKey: String { "neoich.checkpoint" }

    /// Captures a module's state dict and an optimizer's state.
    public init(module: any Module, optimizer: (any Optimizer)?, metadata: Metadata) throws {
        var weights: [String: Tensor] = [:]
        for (name, tensor) in module.stateDict() { weights[name] = try tensor.detached().clone() }
        var state: [String: Tensor] = [:]
        if let optimizer {
            for (name, tensor) in try optimizer.stateTensors() { state[name] = try tensor.detached().clone() }
        }
        self.init(model: weights, optimizer: state, metadata: metadata)
    }

    /// Writes the checkpoint atomically.
    public func write(to url: URL) throws {
        let json = try JSONEncoder().encode(metadata)
        let tensors = model.map { (name: "model.\($0.key)", tensor: $0.value) }
            + optimizer.map { (name: "optimizer.\($0.key)", tensor: $0.value) }
        try SafeTensors.write(tensors, metadata: [Self.metadataKey: String(decoding: json, as: UTF8.self)], to: url)
    }

    /// Reads a checkpoint written by `write(to:)`.
    public static func read(_ url: URL) throws -> Checkpoint {
        let contents = try SafeTensors.read(url)
        guard let text = contents.metadata[metadataKey] else {
            throw SafeTensorsError.malformed(url.path, "no \(metadataKey) metadata: not a NeoICH checkpoint")
        }
        let metadata: Metadata
        do {
            metadata = try JSONDecoder().decode(Metadata.self, from: Data(text.utf8))
        } catch {
            throw SafeTensorsError.malformed(url.path, "checkpoint metadata does not decode: \(error)")
        }
        var model: [String: Tensor] = [:], optimizer: [String: Tensor] = [:]
        for (name, tensor) in contents.tensors {
            if name.hasPrefix("model.") { model[String(name.dropFirst(6))] = tensor }
            else if name.hasPrefix("optimizer.") { optimizer[String(name.dropFirst(10))] = tensor }
        }
        return Checkpoint(model: model, optimizer: optimizer, metadata: metadata)
    }

    /// Restores the weights into `module` (strictly) and the state into `optimizer`.
    public func restore(into module: any Module, optimizer target: (any Optimizer)?) throws {
        try module.load(stateDict: model, strict: true)
        try target?.loadState(optimizer)
    }
}
