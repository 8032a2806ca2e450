@_exported import Output
@_exported import Torch

/// Whether a forward pass trains (batch statistics, dropout on) or infers. Passed explicitly to every
/// forward, never kept as hidden state.
public enum Mode: Sendable {
    case training
    case inference

    public var isTraining: Bool { self == .training }
}

/// A network component with named parameters and buffers.
///
/// Names are exactly PyTorch `state_dict` keys (`layer1.0.conv1.weight`), so weights move between PyTorch
/// (MONAI, nnU-Net) and NeoICH without renaming. Parameters are leaf tensors that require gradients;
/// optimizers update them in place.
public protocol Module: AnyObject {
    /// This module's own parameters, with their local names, in PyTorch registration order.
    var localParameters: [(name: String, tensor: Tensor)] { get }
    /// This module's own buffers (running statistics), with their local names.
    var localBuffers: [(name: String, tensor: Tensor)] { get }
    /// Sub-modules, with their local names.
    var children: [(name: String, module: any Module)] { get }
}

/// A module with a single-input forward pass.
public protocol Layer: Module {
    func forward(_ input: Tensor, mode: Mode) throws -> Tensor
}

extension Module {
    public var localParameters: [(name: String, tensor: Tensor)] { [] }
    public var localBuffers: [(name: String, tensor: Tensor)] { [] }
    public var children: [(name: String, module: any Module)] { [] }

    /// Every parameter, named by its full `state_dict` key.
    public func namedParameters(prefix: String = "") -> [(name: String, tensor: Tensor)] {
        var result = localParameters.map { (name: prefix + $0.name, tensor: $0.tensor) }
        for child in children {
            result += child.module.namedParameters(prefix: prefix + child.name + ".")
        }
        return result
    }

    /// Every buffer, named by its full `state_dict` key.
    public func namedBuffers(prefix: String = "") -> [(name: String, tensor: Tensor)] {
        var result = localBuffers.map { (name: prefix + $0.name, tensor: $0.tensor) }
        for child in children {
            result += child.module.namedBuffers(prefix: prefix + child.name + ".")
        }
        return result
    }

    /// Parameters and buffers in PyTorch's `state_dict` order (per module: parameters, then buffers, then children).
    public func stateDict(prefix: String = "") -> [(name: String, tensor: Tensor)] {
        var result = localParameters.map { (name: prefix + $0.name, tensor: $0.tensor) }
        result += localBuffers.map { (name: prefix + $0.name, tensor: $0.tensor) }
        for child in children {
            result += child.module.stateDict(prefix: prefix + child.name + ".")
        }
        return result
    }

    public var parameters: [Tensor] { namedParameters().map(\.tensor) }

    /// The parameters that an optimizer should update (those not frozen).
    public var trainableParameters: [Tensor] { parameters.filter(\.requiresGrad) }

    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Copies tensors into this module's parameters and buffers by `state_dict` key.
    ///
    /// - Parameters:
    ///   - state: tensors by key (e.g. read from a safetensors file exported from PyTorch).
    ///   - strict: fail on keys missing from `state` or unknown to the module (as `load_state_dict(strict=True)`).
    /// - Throws: `ModuleError` naming the missing or unexpected keys, or a shape mismatch.
    public func load(stateDict state: [String: Tensor], strict: Bool = true) throws {
        let own = stateDict()
        let ownKeys = Set(own.map(\.name))
        if strict {
            let missing = own.map(\.name).filter { state[$0] == nil }
            let unexpected = state.keys.filter { !ownKeys.contains($0) }.sorted()
            if !missing.isEmpty || !unexpected.isEmpty {
                throw ModuleError.stateDictMismatch(missing: missing, unexpected: unexpected)
            }
        }
        try GradMode.withoutGrad {
            for (name, target) in own {
                guard let source = state[name] else { continue }
                guard source.shape == target.shape else {
                    throw ModuleError.shapeMismatch(key: name, expected: target.shape, found: source.shape)
                }
                try target.copy(from: source)
            }
        }
    }

    /// Stops gradients for every parameter (fine-tuning keeps only some layers trainable).
    public func freeze() throws {
        for p in parameters { try p.requiringGrad(false) }
    }

    public func unfreeze() throws {
        for p in parameters { try p.requiringGrad(true) }
    }

    /// Clears accumulated gradients.
    public func zeroGrad() throws {
        for p in parameters { try p.setGrad(nil) }
    }
}

/// Errors from loading weights into modules.
public enum ModuleError: Error, CustomStringConvertible, Equatable {
    case stateDictMismatch(missing: [String], unexpected: [String])
    case shapeMismatch(key: String, expected: [Int], found: [Int])
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case .stateDictMismatch(let missing, let unexpected):
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing keys: \(missing.prefix(10).joined(separator: ", "))\(missing.count > 10 ? " … (\(missing.count))" : "")") }
            if !unexpected.isEmpty { parts.append("unexpected keys: \(unexpected.prefix(10).joined(separator: ", "))\(unexpected.count > 10 ? " … (\(unexpected.count))" : "")") }
            return "state dict does not match the model: " + parts.joined(separator: "; ")
        case .shapeMismatch(let key, let expected, let found):
            return "state dict key \(key): expected shape \(expected), found \(found)"
        case .invalidConfiguration(let text):
            return "invalid layer configuration: \(text)"
        }
    }
}
