import NN

/// Which class's output (logit, or log p with `AttributionOutput.logProbability`) an attribution explains.
public enum AttributionTarget: Sendable, Equatable {
    /// The class the model predicts for each unmodified input (argmax of the logits); the default.
    case predicted
    /// The same class for every input of the batch.
    case classIndex(Int)
    /// One class per input of the batch.
    case perSample([Int])
}

extension ExplainableModel {
    /// The class index per input for `target`, checked against the model's outputs.
    ///
    /// - Throws: `ExplainError.invalidTarget` for a class out of range or a list of the wrong length.
    func resolve(_ target: AttributionTarget, for input: Tensor) throws -> [Int] {
        let n = input.shape[0]
        let logits = try GradMode.withoutGrad { try evaluate(input, capture: [], relu: .standard).logits }
        let classes = logits.shape[1]
        let targets: [Int]
        switch target {
        case .predicted: targets = try logits.argmax(dim: 1).scalars(as: Int64.self).map { Int($0) }
        case .classIndex(let c): targets = Array(repeating: c, count: n)
        case .perSample(let list): targets = list
        }
        guard targets.count == n else { throw ExplainError.invalidTarget("\(targets.count) targets for a batch of \(n)") }
        if let bad = targets.first(where: { $0 < 0 || $0 >= classes }) {
            throw ExplainError.invalidTarget("class \(bad), the model has classes 0..<\(classes)")
        }
        return targets
    }

    /// The sum over the batch of each input's target output (the score every gradient method differentiates).
    func score(_ logits: Tensor, targets: [Int]) throws -> Tensor {
        let index = try Tensor(targets.map { Int64($0) }, shape: [targets.count, 1])
        return try logits.gather(1, index).sum()
    }

    /// `∂ score / ∂ input` for each input of the batch (inputs are independent in inference mode).
    func inputGradient(_ input: Tensor, targets: [Int], relu: ReLUKind = .standard) throws -> Tensor {
        try GradMode.with(enabled: true) {
            let x = try input.detached().requiringGrad()
            let logits = try evaluate(x, capture: [], relu: relu).logits
            return try gradient(of: score(logits, targets: targets), withRespectTo: x)
        }
    }
}

/// Checks that `input` is a finite floating-point batch (N, C, z, y, x).
///
/// - Throws: `ExplainError.invalidInput` naming the problem.
func validateAttributionInput(_ input: Tensor) throws {
    guard input.rank == 5 else {
        throw ExplainError.invalidInput("expected a batch (N, C, z, y, x), got shape \(input.shape)")
    }
    guard input.dtype.isFloatingPoint else { throw ExplainError.invalidInput("expected floating-point voxels, got \(input.dtype)") }
    guard input.count > 0 else { throw ExplainError.invalidInput("empty input of shape \(input.shape)") }
    let finite = try input.isFinite().all().item() != 0
    guard finite else { throw ExplainError.invalidInput("the input holds NaN or infinite values") }
}
