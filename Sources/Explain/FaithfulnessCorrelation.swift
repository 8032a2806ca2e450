import NN

/// Quantus' `FaithfulnessCorrelation` (Bhatt et al. 2020; `quantus/metrics/faithfulness/faithfulness_correlation.py`),
/// a sampled metric distinct from 000_…'s: over `runs` random subsets of `subsetSize` voxels, the Pearson
/// correlation between the sum of the attributions in the subset and the drop of the target *logit* when the
/// subset is set to the baseline. Quantus defaults: 100 runs, 224 voxels, baseline "black" (the input's
/// minimum), no negation.
///
/// Quantus normalises the attributions by their maximum magnitude first; a positive rescaling leaves the
/// correlation unchanged, so NeoICH skips it.
public struct FaithfulnessCorrelation {
    /// What a removed voxel becomes.
    public enum Baseline: Sendable, Equatable {
        /// The input's minimum (Quantus "black").
        case minimum
        /// A fixed value.
        case value(Double)
    }

    public let model: any ExplainableModel
    public var subsetSize: Int
    public var runs: Int
    public var baseline: Baseline
    /// Perturbed inputs per forward.
    public var batchSize: Int

    public init(model: any ExplainableModel, subsetSize: Int = 224, runs: Int = 100, baseline: Baseline = .minimum, batchSize: Int = 8) {
        self.model = model
        self.subsetSize = subsetSize
        self.runs = runs
        self.baseline = baseline
        self.batchSize = batchSize
    }

    /// The correlation for one input.
    ///
    /// - Parameters:
    ///   - input: (1, 1, z, y, x).
    ///   - attribution: the map in (z, y, x) order.
    ///   - target: the explained class.
    ///   - generator: draws the subsets (Quantus uses NumPy's global generator; NeoICH an explicit one).
    /// - Returns: Pearson's r over the runs; NaN when either vector is constant.
    /// - Throws: `ExplainError` for a bad input, map, target or configuration.
    public func score(_ input: Tensor, attribution: [Float], target: Int, generator: Generator) throws -> Double {
        try validateAttributionInput(input)
        let x = try input.to(.float32).contiguous()
        guard x.shape[0] == 1, x.shape[1] == 1 else { throw ExplainError.invalidInput("expected (1, 1, z, y, x), got \(x.shape)") }
        guard attribution.count == x.count else {
            throw ExplainError.invalidInput("attribution of \(attribution.count) voxels for an input of \(x.count)")
        }
        guard subsetSize > 0, subsetSize <= x.count, runs > 1, batchSize > 0 else {
            throw ExplainError.invalidConfiguration("subset size \(subsetSize) must be in 1…\(x.count), runs \(runs) > 1, batch size \(batchSize) > 0")
        }
        let values: [Float] = try x.scalars()
        let fill: Float = switch baseline {
        case .minimum: values.min() ?? 0
        case .value(let v): Float(v)
        }
        return try GradMode.withoutGrad {
            let logits = try model.evaluate(x, capture: [], relu: .standard).logits
            guard target >= 0, target < logits.shape[1] else { throw ExplainError.invalidTarget("class \(target) of \(logits.shape[1])") }
            let unperturbed = try logits.select(1, target).item()
            var subsets: [[Int]] = []
            for _ in 0..<runs {
                let permutation = try Tensor.randperm(x.count, generator: generator).narrow(0, start: 0, length: subsetSize)
                subsets.append(try permutation.scalars(as: Int64.self).map { Int($0) })
            }
            var drops: [Double] = [], sums: [Double] = []
            var start = 0
            while start < runs {
                let chunk = subsets[start..<min(start + batchSize, runs)]
                let batch = try x.repeated([chunk.count, 1, 1, 1, 1])
                try batch.withUnsafeMutableBufferPointer(as: Float.self) { buffer in
                    for (b, subset) in chunk.enumerated() { for i in subset { buffer[b * x.count + i] = fill } }
                }
                let perturbed = try model.evaluate(batch, capture: [], relu: .standard).logits.select(1, target).scalars(as: Double.self)
                for (subset, p) in zip(chunk, perturbed) {
                    drops.append(unperturbed - p)
                    sums.append(subset.reduce(0) { $0 + Double(attribution[$1]) })
                }
                start += chunk.count
            }
            return FaithfulnessMetric.pearson(sums, drops)
        }
    }
}
