import Foundation
import Testing
import TestSupport
@testable import Stats

@Suite struct ChiSquaredTests {
    @Test func matchesSciPy() throws {
        for c in try StatsReference.load().distributions.chi2 {
            let distribution = ChiSquared(degreesOfFreedom: c.df)
            for (i, x) in (c.x ?? []).enumerated() {
                expectReference("chi2.cdf", distribution.cdf(x), c.cdf[i], relative: 1e-12)
                expectReference("chi2.sf", distribution.sf(x), c.sf[i], relative: 1e-12)
            }
        }
    }

    @Test func closedForms() {
        // k = 2 is exponential: sf(x) = e^{−x/2}; k = 1: sf(x) = erfc(√(x/2)).
        for x in [0.01, 0.5, 3, 20, 200.0] {
            expectClose(ChiSquared(degreesOfFreedom: 2).sf(x), exp(-x / 2), absolute: 0, relative: 1e-13)
            expectClose(ChiSquared(degreesOfFreedom: 1).sf(x), erfc((x / 2).squareRoot()), absolute: 0, relative: 1e-13)
        }
        #expect(ChiSquared(degreesOfFreedom: 3).sf(0) == 1)
        #expect(ChiSquared(degreesOfFreedom: -1).sf(2).isNaN)
    }
}
