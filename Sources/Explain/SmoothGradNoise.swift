import NN

/// The standard deviation of SmoothGrad's Gaussian noise.
///
/// Smilkov et al. (2017) scale it to the input: σ / (x_max − x_min) of 10–20 % works best. Captum's NoiseTunnel
/// takes an absolute σ with default 1.0, which is the whole 0…1 range of NeoICH's normalised crop.
public enum SmoothGradNoise: Sendable, Codable, Equatable {
    /// σ = fraction · (max − min) of the input (the whole batch); NeoICH's default is 0.15.
    case fractionOfRange(Double)
    /// σ in input units (Captum's `stdevs`; NeoICH's earlier default was 1.0).
    case absolute(Double)

    /// The SmoothGrad paper's middle value, 15 % of the input's range.
    public static let standard = SmoothGradNoise.fractionOfRange(0.15)

    /// σ for `input`.
    ///
    /// - Throws: `ExplainError.invalidConfiguration` for a negative or non-finite setting.
    public func standardDeviation(for input: Tensor) throws -> Double {
        switch self {
        case .absolute(let sigma):
            guard sigma >= 0, sigma.isFinite else { throw ExplainError.invalidConfiguration("SmoothGrad stdev \(sigma) must be finite and ≥ 0") }
            return sigma
        case .fractionOfRange(let fraction):
            guard fraction >= 0, fraction.isFinite else {
                throw ExplainError.invalidConfiguration("SmoothGrad noise fraction \(fraction) must be finite and ≥ 0")
            }
            let range = try input.max().item() - input.min().item()
            return fraction * range
        }
    }

    private enum CodingKeys: String, CodingKey { case fractionOfRange, absolute }

    /// `{"fractionOfRange": 0.15}` or `{"absolute": 1.0}` in explanation.json.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .fractionOfRange(let f): try container.encode(f, forKey: .fractionOfRange)
        case .absolute(let s): try container.encode(s, forKey: .absolute)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let f = try container.decodeIfPresent(Double.self, forKey: .fractionOfRange) {
            self = .fractionOfRange(f)
        } else {
            self = .absolute(try container.decode(Double.self, forKey: .absolute))
        }
    }
}
