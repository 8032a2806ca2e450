import Foundation

/// The χ² distribution with `degreesOfFreedom` k > 0.
///
/// `cdf` and `sf` are the regularised lower and upper incomplete gamma functions P(k/2, x/2), Q(k/2, x/2),
/// each computed directly (not as 1 − the other) where it is the small one.
public struct ChiSquared: Sendable, Equatable {
    /// k; the functions return NaN when it is not positive or is NaN.
    public let degreesOfFreedom: Double

    /// A χ² distribution with k degrees of freedom.
    public init(degreesOfFreedom: Double) {
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// P(X ≤ x); 0 for x ≤ 0.
    public func cdf(_ x: Double) -> Double {
        guard degreesOfFreedom > 0, !x.isNaN else { return .nan }
        if x <= 0 { return 0 }
        return SpecialFunctions.regularizedGamma(0.5 * degreesOfFreedom, 0.5 * x).lower
    }

    /// P(X > x); 1 for x ≤ 0.
    public func sf(_ x: Double) -> Double {
        guard degreesOfFreedom > 0, !x.isNaN else { return .nan }
        if x <= 0 { return 1 }
        return SpecialFunctions.regularizedGamma(0.5 * degreesOfFreedom, 0.5 * x).upper
    }
}
