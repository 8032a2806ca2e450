import NN

/// SmoothGrad (Smilkov et al. 2017): the mean of an inner method's maps over `samples` copies of the input with
/// Gaussian noise `N(0, σ²)` added; σ is `noise` (default 15 % of the input's range, `SmoothGradNoise`).
///
/// Matches Captum 0.7 `NoiseTunnel(inner).attribute(nt_type="smoothgrad", stdevs=σ)` (`attr/_core/noise_tunnel.py`):
/// default `nt_samples = 5`; Captum's default `stdevs = 1.0` is `.absolute(1.0)`; the noisy copies are ordered input-major (`repeat_interleave`), so noise row `k` belongs to input `k / samples`;
/// the target is resolved once on the unmodified input; Saliency inside keeps its absolute value per sample.
public struct SmoothGrad: AttributionMethod {
    /// The method averaged over noisy copies (Saliency in 000_…).
    public let inner: any AttributionMethod
    public let model: any ExplainableModel
    /// Noisy copies per input (Captum default 5).
    public var samples: Int
    /// Standard deviation of the noise, relative to the input's range or absolute.
    public var noise: SmoothGradNoise
    /// Noisy copies evaluated per forward/backward (memory bound); any value gives the same result.
    public var batchSize: Int
    /// Source of the noise.
    public let generator: Generator

    public init(model: any ExplainableModel, inner: (any AttributionMethod)? = nil, samples: Int = 5,
                noise: SmoothGradNoise = .standard, batchSize: Int = 5, generator: Generator) {
        self.model = model
        self.inner = inner ?? Saliency(model: model)
        self.samples = samples
        self.noise = noise
        self.batchSize = batchSize
        self.generator = generator
    }

    public var name: AttributionMethodName { .smoothGrad }

    public func attribute(_ input: Tensor, target: AttributionTarget) throws -> Tensor {
        try validateAttributionInput(input)
        try validate()
        var shape = input.shape
        shape[0] *= samples
        let sigma = try noise.standardDeviation(for: input)
        let draws = try Tensor.randn(shape, dtype: input.dtype, generator: generator).multiplying(sigma)
        return try attribute(input, target: target, noise: draws)
    }

    /// SmoothGrad with given noise, e.g. the draws of a reference run (already scaled; `noise` is not applied).
    ///
    /// - Parameter noise: (N · samples, C, z, y, x); row `k` is added to input `k / samples`.
    /// - Throws: `ExplainError.invalidDraws` when the noise does not fit.
    public func attribute(_ input: Tensor, target: AttributionTarget, noise: Tensor) throws -> Tensor {
        try validateAttributionInput(input)
        try validate()
        _ = try self.noise.standardDeviation(for: input)
        let n = input.shape[0]
        var expected = input.shape
        expected[0] *= samples
        guard noise.shape == expected else {
            throw ExplainError.invalidDraws("SmoothGrad noise of shape \(noise.shape), expected \(expected)")
        }
        let targets = try model.resolve(target, for: input)
        let repeated = try input.unsqueezed(1).expanded([n, samples] + input.shape.dropFirst()).reshaped(expected)
        let noisy = try repeated.adding(noise.to(input.dtype))
        let rowTargets = targets.flatMap { Array(repeating: $0, count: samples) }
        var maps: [Tensor] = []
        var start = 0
        while start < noisy.shape[0] {
            let length = min(batchSize, noisy.shape[0] - start)
            let chunk = try noisy.narrow(0, start: start, length: length)
            maps.append(try inner.attribute(chunk, target: .perSample(Array(rowTargets[start..<start + length]))))
            start += length
        }
        let all = try Tensor.cat(maps, dim: 0)
        return try all.reshaped([n, samples] + input.shape.dropFirst()).sum(dims: [1]).dividing(Double(samples))
    }

    private func validate() throws {
        guard samples > 0, batchSize > 0 else {
            throw ExplainError.invalidConfiguration("SmoothGrad samples \(samples) and batch size \(batchSize) must be > 0")
        }
    }
}
