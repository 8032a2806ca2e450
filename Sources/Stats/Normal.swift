import Foundation

/// The standard normal distribution N(0, 1).
///
/// `cdf`/`sf` follow the structure of SciPy's `special.ndtr` (erf near 0, erfc in the tails), so the tails
/// keep full relative precision (`sf(20)` ≈ 2.8e-89, not 0). `ppf` is Acklam's rational approximation
/// refined by Halley steps on `cdf`, accurate to a few ulps.
public enum Normal {
    /// P(Z ≤ x).
    ///
    /// - Parameter x: any number; ±∞ give 0 and 1, NaN gives NaN.
    /// - Returns: the lower-tail probability.
    public static func cdf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        let z = x * 0.707_106_781_186_547_524_400_844_362_1
        if abs(z) < 0.707_106_781_186_547_524_400_844_362_1 {
            return 0.5 + 0.5 * erf(z)
        }
        let tail = 0.5 * erfc(abs(z))
        return z > 0 ? 1 - tail : tail
    }

    /// P(Z > x) = cdf(−x), without cancellation in the upper tail.
    public static func sf(_ x: Double) -> Double {
        cdf(-x)
    }

    /// The quantile function (inverse of `cdf`).
    ///
    /// - Parameter p: a probability; 0 gives −∞, 1 gives +∞, values outside [0, 1] give NaN (as SciPy's `ndtri`).
    /// - Returns: z with cdf(z) = p.
    public static func ppf(_ p: Double) -> Double {
        if p.isNaN || p < 0 || p > 1 { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        // 1 − p is exact for p ≥ ½ (Sterbenz), so the upper half is the mirror of the lower half.
        if p > 0.5 { return -lowerQuantile(1 - p) }
        return lowerQuantile(p)
    }

    /// ppf for 0 < p ≤ ½.
    private static func lowerQuantile(_ p: Double) -> Double {
        var x = acklam(p)
        // Halley's method on cdf(x) − p; two steps take Acklam's 1e-9 to machine precision.
        for _ in 0..<2 {
            let error = cdf(x) - p
            let u = error * (2 * Double.pi).squareRoot() * exp(0.5 * x * x)
            let step = u / (1 + 0.5 * x * u)
            if !step.isFinite { break }
            x -= step
        }
        return x
    }

    /// P. J. Acklam's rational approximation of the normal quantile (relative error < 1.15e-9), 0 < p ≤ ½.
    private static func acklam(_ p: Double) -> Double {
        let a = [-3.969_683_028_665_376e+01, 2.209_460_984_245_205e+02, -2.759_285_104_469_687e+02,
                 1.383_577_518_672_690e+02, -3.066_479_806_614_716e+01, 2.506_628_277_459_239e+00]
        let b = [-5.447_609_879_822_406e+01, 1.615_858_368_580_409e+02, -1.556_989_798_598_866e+02,
                 6.680_131_188_771_972e+01, -1.328_068_155_288_572e+01]
        let c = [-7.784_894_002_430_293e-03, -3.223_964_580_411_365e-01, -2.400_758_277_161_838e+00,
                 -2.549_732_539_343_734e+00, 4.374_664_141_464_968e+00, 2.938_163_982_698_783e+00]
        let d = [7.784_695_709_041_462e-03, 3.224_671_290_700_398e-01, 2.445_134_137_142_996e+00,
                 3.754_408_661_907_416e+00]
        if p < 0.02425 {
            let q = (-2 * log(p)).squareRoot()
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let q = p - 0.5
        let r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
}
