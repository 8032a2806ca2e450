import Foundation
import Testing
import TestSupport
@testable import Stats

@Suite struct StudentTTests {
    @Test func matchesSciPy() throws {
        for c in try StatsReference.load().distributions.studentT {
            let distribution = StudentT(degreesOfFreedom: c.df)
            for (i, t) in (c.t ?? []).enumerated() {
                expectReference("t.cdf", distribution.cdf(t), c.cdf[i], relative: 1e-12)
                expectReference("t.sf", distribution.sf(t), c.sf[i], relative: 1e-12)
            }
        }
    }

    @Test func closedForms() {
        // ν = 1 is Cauchy: F(t) = atan(−1/t)/π for t < 0; ν = 2: F(t) = 1/(s(s − t)) with s = √(2 + t²)
        // for t < 0 (both written without cancellation), and F(t) = 1 − F(−t).
        for t in [-30.0, -2, -0.3, 0.7, 4, 100] {
            let cauchyLower = atan(1 / abs(t)) / .pi
            let s = (2 + t * t).squareRoot()
            let twoLower = 1 / (s * (s + abs(t)))
            expectClose(StudentT(degreesOfFreedom: 1).cdf(t), t < 0 ? cauchyLower : 1 - cauchyLower,
                        absolute: 0, relative: 1e-13)
            expectClose(StudentT(degreesOfFreedom: 2).cdf(t), t < 0 ? twoLower : 1 - twoLower,
                        absolute: 0, relative: 1e-13)
        }
        #expect(StudentT(degreesOfFreedom: 3).cdf(0) == 0.5)
        #expect(StudentT(degreesOfFreedom: 0).sf(1).isNaN)
        #expect(StudentT(degreesOfFreedom: 5).sf(.infinity) == 0)
    }
}
