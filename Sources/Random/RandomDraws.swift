extension RandomNumberGenerator {
    /// Uniform on [low, high), from the top 53 bits of one draw.
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * Double(next() >> 11) / Double(1 << 53)
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { uniform(0, 1) < p }

    /// A uniform integer in 0..<bound (bound ≥ 1; modulo draw, bias below 2⁻⁵⁰ for the bounds used here).
    public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(Swift.max(bound, 1))) }
}
