import Testing
import TestSupport
@testable import Stats

@Suite struct NormalTests {
    @Test func cdfAndSurvivalMatchSciPy() throws {
        let grid = try StatsReference.load().distributions.normal
        for (i, x) in grid.x.enumerated() {
            // Far tails: erfc's argument x/√2 is rounded, which moves the result by ~x²·ε relative (SciPy
            // rounds the same way). SciPy's erfc flushes results below e⁻⁷⁰⁹ to 0 (x = −38 gives 0 there,
            // 2.9e-316 here), hence the tiny absolute tolerance.
            expectReference("normal.cdf", Normal.cdf(x), grid.cdf[i], relative: 1e-12, absolute: 1e-300)
            expectReference("normal.sf", Normal.sf(x), grid.sf[i], relative: 1e-12, absolute: 1e-300)
        }
    }

    @Test func quantileMatchesSciPy() throws {
        let grid = try StatsReference.load().distributions.normalPpf
        for (p, expected) in zip(grid.p, grid.ppf) {
            expectReference("normal.ppf", Normal.ppf(p), expected, relative: 1e-13)
        }
    }

    @Test func handValues() {
        #expect(Normal.cdf(0) == 0.5)
        #expect(Normal.ppf(0.5) == 0)
        #expect(Normal.ppf(0) == -.infinity)
        #expect(Normal.ppf(1) == .infinity)
        #expect(Normal.ppf(1.5).isNaN)
        #expect(Normal.cdf(.nan).isNaN)
        // Round trip through the quantile.
        for p in [1e-12, 0.01, 0.2, 0.6, 0.99] { expectClose(Normal.cdf(Normal.ppf(p)), p, absolute: 0, relative: 1e-14) }
    }
}
