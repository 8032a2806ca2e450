import NN

/// The random draws of one GradientShap call: per noisy sample row, the baseline it uses and its α.
public struct GradientShapDraws: Sendable, Equatable {
    /// Index into the baselines, one per row (N · samples, input-major).
    public var baselineIndices: [Int]
    /// α ∈ [0, 1), one per row.
    public var alphas: [Double]

    public init(baselineIndices: [Int], alphas: [Double]) {
        self.baselineIndices = baselineIndices
        self.alphas = alphas
    }
}

/// GradientShap (Lundberg & Lee 2017, Captum's estimator): for each of `samples` rows per input, draw a
/// baseline `b` from the set and `α ~ U(0, 1)`, and average `(x − b) · ∇ logit(α x + (1 − α) b)`.
///
/// Matches Captum 0.7 `GradientShap` (`attr/_core/gradient_shap.py`) with `n_samples = 5`, `stdevs = 0`:
/// rows are input-major (row `k` belongs to input `k / samples`), baselines are drawn with replacement, α is
/// cast to the input's dtype before scaling.
public struct GradientShap: AttributionMethod {
    public let model: any ExplainableModel
    /// The baseline distribution (B, C, z, y, x). 000_… does not state one; NeoICH's default is one all-zero
    /// volume (the masked crop's "no information", as the faithfulness baseline).
    public var baselines: Tensor?
    /// Rows per input (Captum default 5).
    public var samples: Int
    /// Rows evaluated per forward/backward.
    public var batchSize: Int
    public let generator: Generator

    public init(model: any ExplainableModel, baselines: Tensor? = nil, samples: Int = 5, batchSize: Int = 5, generator: Generator) {
        self.model = model
        self.baselines = baselines
        self.samples = samples
        self.batchSize = batchSize
        self.generator = generator
    }

    public var name: AttributionMethodName { .gradientShap }

    public func attribute(_ input: Tensor, target: AttributionTarget) throws -> Tensor {
        try validateAttributionInput(input)
        let rows = input.shape[0] * samples
        let count = try baselineSet(for: input).shape[0]
        let indices = try Tensor.randint(0, count, [rows], generator: generator).scalars(as: Int64.self).map { Int($0) }
        let alphas = try Tensor.rand([rows], dtype: .float64, generator: generator).scalars(as: Double.self)
        return try attribute(input, target: target, draws: GradientShapDraws(baselineIndices: indices, alphas: alphas))
    }

    /// GradientShap with given draws, e.g. those of a reference run.
    ///
    /// - Throws: `ExplainError.invalidDraws` when the draws do not fit the batch or the baselines.
    public func attribute(_ input: Tensor, target: AttributionTarget, draws: GradientShapDraws) throws -> Tensor {
        try validateAttributionInput(input)
        guard samples > 0, batchSize > 0 else {
            throw ExplainError.invalidConfiguration("GradientShap samples \(samples) and batch size \(batchSize) must be > 0")
        }
        let n = input.shape[0], rows = n * samples
        let set = try baselineSet(for: input)
        guard draws.baselineIndices.count == rows, draws.alphas.count == rows else {
            throw ExplainError.invalidDraws("GradientShap needs \(rows) baseline indices and α, got \(draws.baselineIndices.count) and \(draws.alphas.count)")
        }
        if let bad = draws.baselineIndices.first(where: { $0 < 0 || $0 >= set.shape[0] }) {
            throw ExplainError.invalidDraws("baseline index \(bad) outside 0..<\(set.shape[0])")
        }
        let targets = try model.resolve(target, for: input)
        let spatial = Array(input.shape.dropFirst())
        let ones = Array(repeating: 1, count: spatial.count)
        var contributions: [Tensor] = []
        var start = 0
        while start < rows {
            let length = min(batchSize, rows - start)
            let range = start..<start + length
            let x = try input.indexSelect(0, Tensor(range.map { Int64($0 / samples) }))
            let b = try set.indexSelect(0, Tensor(range.map { Int64(draws.baselineIndices[$0]) }))
            // Captum: torch.tensor(α, dtype=input.dtype), then α·x + (1 − α)·b.
            let alpha = try Tensor(range.map { draws.alphas[$0] }).to(input.dtype).reshaped([length] + ones)
            let scaled = try alpha.multiplying(x).adding(alpha.negated().adding(1).multiplying(b))
            let g = try model.inputGradient(scaled, targets: range.map { targets[$0 / samples] })
            contributions.append(try x.subtracting(b).multiplying(g))
            start += length
        }
        return try Tensor.cat(contributions, dim: 0).reshaped([n, samples] + spatial).sum(dims: [1]).dividing(Double(samples))
    }

    private func baselineSet(for input: Tensor) throws -> Tensor {
        let spatial = Array(input.shape.dropFirst())
        guard let baselines else { return try Tensor.zeros([1] + spatial, dtype: input.dtype) }
        guard baselines.rank == input.rank, Array(baselines.shape.dropFirst()) == spatial, baselines.shape[0] > 0 else {
            throw ExplainError.invalidInput("baselines of shape \(baselines.shape) do not fit inputs of shape \(input.shape)")
        }
        return try baselines.to(input.dtype)
    }
}
