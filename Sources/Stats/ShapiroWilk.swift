import Foundation

/// The result of a Shapiro–Wilk test (`scipy.stats.shapiro`).
public struct ShapiroWilkResult: Sendable, Equatable {
    /// W, in (0, 1]; values near 1 are consistent with normality.
    public let statistic: Double
    /// The p-value of Royston's normalising approximation.
    public let pValue: Double
}

/// The Shapiro–Wilk W test for normality, Royston's algorithm AS R94 (1995) as `scipy.stats.shapiro` runs it.
///
/// It reproduces SciPy's arithmetic, including its two approximations, so that W and p agree to ~1e-15:
/// the coefficients start from AS 111's normal quantiles (`ppnd`, 7 digits) and the p-value uses AS 66's
/// normal tail (`alnorm`). Like SciPy, the sorted sample is shifted by the input's middle element `x[n/2]`
/// (gh-15777) before W is computed, and:
/// - a sample with zero range gives W = 1, p = 1 (SciPy warns and returns the same);
/// - for n = 3, W < 0.75 (only reachable by rounding) is clamped to 0.75 with p = 0;
/// - for n ≤ 11, a W beyond Royston's range gives p = 1e-19, SciPy's floor;
/// - n > 5000 is accepted, but as SciPy notes the p-value may not be accurate there.
public enum ShapiroWilk {
    /// Tests whether `x` comes from a normal distribution.
    ///
    /// - Parameter x: the sample, n ≥ 3.
    /// - Returns: W and its p-value.
    /// - Throws: `StatsError.empty`, `StatsError.tooFewObservations` for n < 3 (SciPy raises ValueError),
    ///   `StatsError.nonFinite`.
    public static func test(_ x: [Double]) throws -> ShapiroWilkResult {
        try test(x, argument: "x")
    }

    /// `test(_:)` with the argument's name for error messages.
    static func test(_ x: [Double], argument: String) throws -> ShapiroWilkResult {
        try StatsError.check(x, argument, minimum: 3)
        let n = x.count
        let shift = x[n / 2]
        let sorted = x.sorted().map { $0 - shift }
        let half = coefficients(n)
        let (w, p) = statistic(sorted, half)
        return ShapiroWilkResult(statistic: w, pValue: p)
    }

    // MARK: - AS R94

    private static let c1 = [0.0, 0.221157, -0.147981, -0.207119e1, 0.4434685e1, -0.2706056e1]
    private static let c2 = [0.0, 0.42981e-1, -0.293762, -0.1752461e1, 0.5682633e1, -0.3582633e1]
    private static let c3 = [0.5440, -0.39978, 0.25054e-1, -0.6714e-3]
    private static let c4 = [0.13822e1, -0.77857, 0.62767e-1, -0.20322e-2]
    private static let c5 = [-0.15861e1, -0.31082, -0.83751e-1, 0.38915e-2]
    private static let c6 = [-0.4803, -0.82676e-1, 0.30302e-2]
    private static let g = [-0.2273e1, 0.459]
    /// The p-value SciPy reports when W lies beyond the small-sample approximation.
    static let smallestPValue = 1e-19

    /// The first n/2 coefficients a₁ ≥ a₂ ≥ … of the W statistic (the others are their negatives).
    static func coefficients(_ n: Int) -> [Double] {
        let half = n / 2
        if n == 3 { return [(0.5 as Double).squareRoot()] }
        let an25 = Double(n) + 0.25
        var m = [Double](repeating: 0, count: half)
        var summ2 = 0.0
        for i in 0..<half {
            m[i] = ppnd((Double(i + 1) - 0.375) / an25)
            summ2 += m[i] * m[i]
        }
        summ2 *= 2
        let ssumm2 = summ2.squareRoot()
        let rsn = 1 / Double(n).squareRoot()
        let a1 = polynomial(c1, rsn) - m[0] / ssumm2
        var a = m
        let first: Int
        let fac: Double
        if n > 5 {
            first = 2
            let a2 = -m[1] / ssumm2 + polynomial(c2, rsn)
            fac = ((summ2 - 2 * (m[0] * m[0]) - 2 * (m[1] * m[1])) / (1 - 2 * (a1 * a1) - 2 * (a2 * a2))).squareRoot()
            a[1] = a2
        } else {
            first = 1
            fac = ((summ2 - 2 * (m[0] * m[0])) / (1 - 2 * (a1 * a1))).squareRoot()
        }
        a[0] = a1
        let scale = -1.0 / fac
        for i in first..<half { a[i] = m[i] * scale }
        return a
    }

    /// W and its p-value for a sorted sample and the coefficients from `coefficients(_:)`.
    static func statistic(_ x: [Double], _ a: [Double]) -> (Double, Double) {
        let n = x.count
        let range = x[n - 1] - x[0]
        if range < 1e-19 { return (1, 1) }
        // Signed coefficient of the i-th order statistic: −a[i] in the lower half, +a[n−1−i] in the upper.
        func weight(_ i: Int) -> Double {
            let j = n - 1 - i
            if i == j { return 0 }
            return i < j ? -a[i] : a[j]
        }
        var sa = -a[0]
        var sx = x[0] / range
        for i in 1..<n {
            sx += x[i] / range
            sa += weight(i)
        }
        sa /= Double(n)
        sx /= Double(n)
        var ssa = 0.0, ssx = 0.0, sax = 0.0
        for i in 0..<n {
            let asa = weight(i) - sa
            let xsx = x[i] / range - sx
            ssa += asa * asa
            ssx += xsx * xsx
            sax += asa * xsx
        }
        let ssassx = (ssa * ssx).squareRoot()
        let w1 = (ssassx - sax) * (ssassx + sax) / (ssa * ssx)
        let w = 1 - w1
        if n == 3 && w < 0.75 { return (0.75, 0) }
        return (w, pValue(w: w, w1: w1, n: n))
    }

    /// Royston's normalising transformation of W (exact for n = 3).
    static func pValue(w: Double, w1: Double, n: Int) -> Double {
        let an = Double(n)
        if n == 3 {
            // 1 − (6/π)·acos(√W) avoids the old negative p-values (SciPy gh-18322).
            return 1 - 6 / Double.pi * acos(w.squareRoot())
        }
        var y = log(w1)
        let m: Double
        let s: Double
        if n <= 11 {
            let gamma = polynomial(g, an)
            if y >= gamma { return smallestPValue }
            y = -log(gamma - y)
            m = polynomial(c3, an)
            s = exp(polynomial(c4, an))
        } else {
            let logN = log(an)
            m = polynomial(c5, logN)
            s = exp(polynomial(c6, logN))
        }
        return alnormUpper((y - m) / s)
    }

    /// c₀ + c₁x + … + c_k x^k, evaluated in the order AS R94's `poly` uses.
    static func polynomial(_ c: [Double], _ x: Double) -> Double {
        if c.count == 1 { return c[0] }
        var p = x * c[c.count - 1]
        if c.count > 2 {
            for k in stride(from: c.count - 2, through: 1, by: -1) { p = (p + c[k]) * x }
        }
        return c[0] + p
    }

    /// AS 111 (Beasley & Springer 1977): the normal quantile to about 7 digits. W's coefficients are defined
    /// with it, so a more accurate quantile would change W in the 8th digit.
    static func ppnd(_ p: Double) -> Double {
        let q = p - 0.5
        if abs(q) <= 0.42 {
            let r = q * q
            return q * (((-25.44106049637 * r + 41.39119773534) * r - 18.61500062529) * r + 2.50662823884)
                / ((((3.13082909833 * r - 21.06224101826) * r + 23.08336743743) * r - 8.47351093090) * r + 1)
        }
        var r = q > 0 ? 1 - p : p
        guard r > 0 else { return 0 }
        r = (-log(r)).squareRoot()
        let value = (((2.32121276858 * r + 4.85014127135) * r - 2.29796479134) * r - 2.78718931138)
            / ((1.63706781897 * r + 3.54388924762) * r + 1)
        return q < 0 ? -value : value
    }

    /// AS 66 (Hill 1973, with the 2001 extended range): the upper normal tail P(Z > z).
    static func alnormUpper(_ z: Double) -> Double {
        var upper = true
        var z = z
        if !(z > 0) {
            upper = false
            z = -z
        }
        if !(z <= 7 || (upper && z <= 38)) { return upper ? 0 : 1 }
        let y = 0.5 * z * z
        let tail: Double
        if z <= 1.28 {
            tail = 0.5 - z * (0.398942280444 - 0.399903438504 * y
                / (y + 5.75885480458 - 29.8213557808 / (y + 2.62433121679 + 48.6959930692 / (y + 5.92885724438))))
        } else {
            tail = 0.398942280385 * exp(-y) / (z - 3.8052e-8 + 1.00000615302 / (z + 3.98064794e-4
                + 1.98615381364 / (z - 0.151679116635 + 5.29330324926 / (z + 4.8385912808
                - 15.1508972451 / (z + 0.742380924027 + 30.789933034 / (z + 3.99019417011))))))
        }
        return upper ? tail : 1 - tail
    }
}
