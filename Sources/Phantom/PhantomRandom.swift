import Foundation
import Stats

/// The seeded random stream of the phantom: xoshiro256** plus the draws the generator needs, each built only
/// on `next()` so that a seed gives the same cohort on every platform and Swift version.
public struct PhantomRandom: RandomNumberGenerator, Sendable {
    private var generator: Xoshiro256StarStar

    /// A stream whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        generator = Xoshiro256StarStar(seed: seed)
    }

    /// The seed of case `index` of a cohort: a hash of (cohort seed, case index, centre), so that a case
    /// depends on nothing else (cohorts can be extended or regenerated case by case).
    public static func caseSeed(cohortSeed: UInt64, index: Int, centre: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a over the centre's UTF-8 bytes
        for byte in centre.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return mix(mix(cohortSeed ^ 0x5EED_0000_0000_0001) ^ mix(UInt64(bitPattern: Int64(index)) &+ 0x9E37_79B9_7F4A_7C15) ^ h)
    }

    /// An independent stream for one part of a case (anatomy, lesions, noise…), so that changing how many
    /// numbers one part draws never shifts another.
    public static func stream(_ caseSeed: UInt64, _ part: UInt64) -> PhantomRandom {
        PhantomRandom(seed: mix(caseSeed ^ mix(part &* 0xD6E8_FEB8_6659_FD93)))
    }

    /// SplitMix64's finaliser: a bijective 64-bit mixer.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 { generator.next() }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A uniform double in [low, high).
    public mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * unit() }

    /// A normal draw (Box–Muller, one value per call).
    public mutating func normal(mean: Double = 0, sd: Double = 1) -> Double {
        let u1 = max(unit(), 0x1.0p-60), u2 = unit()
        return mean + sd * (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A normal draw clamped to `range`.
    public mutating func normal(mean: Double, sd: Double, within range: ClosedRange<Double>) -> Double {
        min(max(normal(mean: mean, sd: sd), range.lowerBound), range.upperBound)
    }

    /// A log-normal draw given its median and the standard deviation of its logarithm.
    public mutating func logNormal(median: Double, logSD: Double) -> Double {
        median * exp(normal(mean: 0, sd: logSD))
    }

    /// `true` with probability `p`.
    public mutating func bernoulli(_ p: Double) -> Bool { unit() < p }

    /// An index drawn with the given (unnormalised, non-negative) weights.
    public mutating func index(weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var target = unit() * total
        for (i, w) in weights.enumerated() {
            if target < w { return i }
            target -= w
        }
        return max(0, weights.count - 1)
    }

    /// A uniformly random unit vector.
    public mutating func direction() -> (Double, Double, Double) {
        let z = uniform(-1, 1), phi = uniform(0, 2 * Double.pi)
        let r = (1 - z * z).squareRoot()
        return (r * cos(phi), r * sin(phi), z)
    }
}
