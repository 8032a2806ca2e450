import Testing
import TestSupport
@testable import Stats

@Suite struct MannWhitneyUTests {
    @Test func matchesSciPyAuto() throws {
        for c in try StatsReference.load().mannwhitneyu {
            let result = try MannWhitneyU.test(c.x, c.y)
            #expect(result.method.rawValue == c.method, "\(c.name)")
            #expect(result.statistic == c.statistic, "\(c.name)")
            expectReference("mannwhitneyu.p.\(c.method)", result.pValue, c.pvalue, relative: 1e-12)
        }
    }

    @Test func asymptoticOptionsMatchSciPy() throws {
        for c in try StatsReference.load().mannwhitneyu {
            let withCorrection = try MannWhitneyU.test(c.x, c.y, configuration: .init(method: .asymptotic))
            expectReference("mannwhitneyu.p.asymptotic", withCorrection.pValue, c.pvalueAsymptotic, relative: 1e-12)
            let without = try MannWhitneyU.test(
                c.x, c.y, configuration: .init(method: .asymptotic, continuityCorrection: false))
            expectReference("mannwhitneyu.p.asymptotic", without.pValue, c.pvalueAsymptoticNoContinuity.orNaN,
                            relative: 1e-12)
        }
    }

    @Test func exactOnRequestMatchesSciPy() throws {
        for c in try StatsReference.load().mannwhitneyu {
            guard let expected = c.pvalueExact else { continue }
            let result = try MannWhitneyU.test(c.x, c.y, configuration: .init(method: .exact))
            #expect(result.method == .exact)
            expectReference("mannwhitneyu.p.exact", result.pValue, expected, relative: 1e-12)
        }
    }

    @Test func exactByHand() throws {
        // Complete separation of 4 and 5 values: only 1 of C(9, 4) = 126 orderings is as extreme on each side.
        let separated = try MannWhitneyU.test([1, 2, 3, 4], [5, 6, 7, 8, 9])
        #expect(separated.statistic == 0)
        expectClose(separated.pValue, 2.0 / 126, absolute: 0, relative: 1e-15)
        // n₁ = n₂ = 2, U = 1 (the middle): p = 2·P(U ≥ 3)… clipped: P(U ≥ 2) = 4/6 → 2·4/6 > 1 → 1.
        #expect(try MannWhitneyU.test([1, 4], [2, 3]).pValue == 1)
    }

    @Test func arrangementCountsAreGaussianBinomials() {
        // [4 choose 2]_q = 1 + q + 2q² + q³ + q⁴.
        #expect(MannWhitneyU.arrangementCounts(smaller: 2, larger: 2, upTo: 4) == [1, 1, 2, 1, 1])
        // Sum over all U = C(m + n, m): C(12, 5) = 792.
        #expect(MannWhitneyU.arrangementCounts(smaller: 5, larger: 7, upTo: 35).reduce(0, +) == 792)
        #expect(BinomialCoefficient.value(60, 30) == 118_264_581_564_861_424)
    }

    @Test func rejectsInvalidInput() {
        #expect(throws: StatsError.empty(argument: "y")) { try MannWhitneyU.test([1], []) }
        #expect(throws: StatsError.self) { try MannWhitneyU.test([1, .nan], [2]) }
    }
}
