/// Draws built only on `next()`, so that a seeded generator gives the same values on every platform.
extension RandomNumberGenerator {
    /// A uniform integer in 0..<bound by Lemire's multiply-and-reject method (2019), unbiased; 0 when
    /// bound ≤ 1.
    package mutating func index(below bound: Int) -> Int {
        guard bound > 1 else { return 0 }
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// A uniform double in [0, 1) with 53 random bits: (next() >> 11) · 2⁻⁵³.
    package mutating func unitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}
