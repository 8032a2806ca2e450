/// Binomial coefficients, exact while they fit in 64 bits.
enum BinomialCoefficient {
    /// C(n, k) as a Double: exact integer arithmetic up to 2⁶⁴, then a floating-point product.
    static func value(_ n: Int, _ k: Int) -> Double {
        guard k >= 0, k <= n else { return 0 }
        let k = min(k, n - k)
        var exact: UInt64 = 1
        var i = 0
        // C(n − k + i, i) stays an integer at every step: c·(n − k + i)/i.
        while i < k {
            i += 1
            let factor = UInt64(n - k + i)
            let divisor = gcd(exact, UInt64(i))
            let (product, overflow) = (exact / divisor).multipliedReportingOverflow(by: factor / (UInt64(i) / divisor))
            if overflow {
                var approximate = Double(exact)
                for j in i...k { approximate = approximate * Double(n - k + j) / Double(j) }
                return approximate
            }
            exact = product
        }
        return Double(exact)
    }

    private static func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
