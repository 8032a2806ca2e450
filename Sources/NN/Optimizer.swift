/// Updates parameters from their gradients. Implementations follow `torch.optim` exactly (checked against
/// trajectories recorded with PyTorch in the tests).
public protocol Optimizer: AnyObject {
    var learningRate: Double { get set }
    /// The parameters it updates, in a fixed order (their index names the state tensors).
    var parameters: [Tensor] { get }
    /// One update from the current `.grad` of every parameter (parameters without a gradient are skipped).
    func step() throws
    /// Optimizer state (momentum buffers, moment estimates, step counts) by name, for checkpoints.
    func stateTensors() throws -> [String: Tensor]
    func loadState(_ state: [String: Tensor]) throws
}

extension Optimizer {
    /// Clears the gradients of the optimised parameters.
    public func zeroGrad() throws {
        for p in parameters { try p.setGrad(nil) }
    }
}

/// Errors of optimizer state handling.
public enum OptimizerError: Error, CustomStringConvertible {
    case stateMismatch(String)

    public var description: String {
        switch self {
        case .stateMismatch(let text): "optimizer state does not match: \(text)"
        }
    }
}
