/// SplitMix64 (Steele, Lea & Flood 2014; Vigna's reference `splitmix64.c`): a tiny seeded generator,
/// used to expand one 64-bit seed into the state of `Xoshiro256StarStar`, and as the checkpointable random
/// source of training and augmentation: its whole state is one integer, so `SplitMix64(seed: g.state)` continues
/// the sequence of `g` exactly (what a resumed training run needs).
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    /// The whole state; a generator made with `init(seed: state)` continues this one's sequence.
    public private(set) var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
