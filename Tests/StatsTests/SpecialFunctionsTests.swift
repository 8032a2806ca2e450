import Foundation
import Testing
import TestSupport
@testable import Stats

@Suite struct SpecialFunctionsTests {
    @Test func logGammaOfIntegersIsLogFactorial() {
        var logFactorial = 0.0
        for n in 1...60 {
            // ln Γ(n) = ln (n − 1)!
            expectClose(SpecialFunctions.logGamma(Double(n)), logFactorial, absolute: 1e-14, relative: 1e-14)
            logFactorial += log(Double(n))
        }
        // Γ(½) = √π.
        expectClose(SpecialFunctions.logGamma(0.5), 0.5 * log(Double.pi), absolute: 0, relative: 1e-14)
    }

    @Test func logBetaAgreesWithLogGammas() {
        // Where the direct difference is still accurate (moderate arguments), the Stirling forms must agree.
        for (a, b) in [(20.0, 0.5), (0.5, 40), (16, 17), (30, 2.5), (100, 100)] {
            let direct = SpecialFunctions.logGamma(a) + SpecialFunctions.logGamma(b) - SpecialFunctions.logGamma(a + b)
            expectClose(SpecialFunctions.logBeta(a, b), direct, absolute: 1e-12, relative: 1e-13)
        }
        // B(1, b) = 1/b.
        expectClose(SpecialFunctions.logBeta(1, 50), -log(50.0), absolute: 0, relative: 1e-14)
    }

    @Test func incompleteBetaClosedForm() {
        // I_x(a, 1) = xᵃ.
        for (a, x) in [(0.5, 0.3), (3.0, 0.9), (40.0, 0.95)] {
            expectClose(SpecialFunctions.regularizedBeta(a, 1, x: x, y: 1 - x).value, pow(x, a), absolute: 0, relative: 1e-13)
        }
    }
}
