import Foundation

/// Student's t distribution with `degreesOfFreedom` ν > 0 (not necessarily an integer).
///
/// Both tails are computed from the regularised incomplete beta function I_x(ν/2, ½) with
/// x = ν/(ν + t²), so `sf` keeps its relative precision far in the upper tail.
public struct StudentT: Sendable, Equatable {
    /// ν; the functions return NaN when it is not positive or is NaN.
    public let degreesOfFreedom: Double

    /// A t distribution with ν degrees of freedom.
    public init(degreesOfFreedom: Double) {
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// P(T ≤ t).
    public func cdf(_ t: Double) -> Double {
        sf(-t)
    }

    /// P(T > t).
    public func sf(_ t: Double) -> Double {
        let nu = degreesOfFreedom
        guard nu > 0, !t.isNaN else { return .nan }
        if t.isInfinite { return t > 0 ? 0 : 1 }
        let t2 = t * t
        let x = nu / (nu + t2)
        let y = t2 / (nu + t2)
        // P(|T| > |t|) = I_x(ν/2, ½).
        let twoSided = SpecialFunctions.regularizedBeta(0.5 * nu, 0.5, x: x, y: y)
        return t > 0 ? 0.5 * twoSided.value : 1 - 0.5 * twoSided.value
    }
}
