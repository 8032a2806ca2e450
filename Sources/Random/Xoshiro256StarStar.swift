/// xoshiro256** 1.0 (Blackman & Vigna 2018): the seeded generator for everything random in NeoICH's
/// statistics (bootstrap resampling). Pass it `inout`; the same seed gives the same numbers on every
/// platform and Swift version, because the code below draws from `next()` only through its own
/// `index(below:)`, never through the standard library's `random(in:)` algorithms.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable, Equatable {
    private var s0, s1, s2, s3: UInt64

    /// A generator whose state is the first four outputs of `SplitMix64(seed:)` (the seeding the
    /// authors recommend; it never yields the all-zero state).
    public init(seed: UInt64) {
        var seeder = SplitMix64(seed: seed)
        s0 = seeder.next()
        s1 = seeder.next()
        s2 = seeder.next()
        s3 = seeder.next()
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}
