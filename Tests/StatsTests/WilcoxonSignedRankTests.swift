import Testing
import TestSupport
@testable import Stats

@Suite struct WilcoxonSignedRankTests {
    @Test func matchesSciPyAuto() throws {
        for c in try StatsReference.load().wilcoxon {
            let result = try WilcoxonSignedRank.test(c.x, c.y)
            #expect(result.method.rawValue == c.method, "\(c.name)")
            #expect(result.statistic == c.statistic, "\(c.name)")
            expectReference("wilcoxon.p.\(c.method)", result.pValue, c.pvalue, relative: 1e-12)
        }
    }

    @Test func asymptoticOptionsMatchSciPy() throws {
        for c in try StatsReference.load().wilcoxon {
            let plain = try WilcoxonSignedRank.test(c.x, c.y, configuration: .init(method: .asymptotic))
            expectReference("wilcoxon.p.asymptotic", plain.pValue, c.pvalueAsymptotic, relative: 1e-12)
            expectReference("wilcoxon.z", plain.zStatistic ?? .nan, c.zstatisticAsymptotic, relative: 1e-12)
            let corrected = try WilcoxonSignedRank.test(
                c.x, c.y, configuration: .init(method: .asymptotic, continuityCorrection: true))
            expectReference("wilcoxon.p.asymptotic", corrected.pValue, c.pvalueAsymptoticCorrection, relative: 1e-12)
        }
    }

    @Test func exactOnRequestMatchesSciPy() throws {
        for c in try StatsReference.load().wilcoxon {
            guard let expected = c.pvalueExact else { continue }
            let result = try WilcoxonSignedRank.test(c.x, c.y, configuration: .init(method: .exact))
            expectReference("wilcoxon.p.exact", result.pValue, expected, relative: 1e-12)
        }
    }

    @Test func exactByHand() throws {
        // Five positive differences: R⁻ = 0, and only 1 of 2⁵ sign patterns is as extreme on each side.
        let result = try WilcoxonSignedRank.test(differences: [1, 2, 3, 4, 5])
        #expect(result.statistic == 0)
        #expect(result.pValue == 2.0 / 32)
        #expect(result.method == .exact)
        // All zero: nothing to rank, p = 1 (SciPy's permutation test gives the same).
        #expect(try WilcoxonSignedRank.test(differences: [0, 0, 0]).pValue == 1)
    }

    @Test func permutationCountsTiedRanks() {
        // |d| = 1, 1, 2 → ranks 1.5, 1.5, 3; sums over the 8 sign patterns: 0, 1.5, 1.5, 3, 3, 4.5, 4.5, 6.
        // R⁺ = 1.5: P(T ≤ 1.5) = 3/8 → p = 6/8.
        #expect(WilcoxonSignedRank.permutationPValue(1.5, ranks: [1.5, 1.5, 3]) == 0.75)
    }

    @Test func rejectsInvalidInput() {
        #expect(throws: StatsError.empty(argument: "differences")) { try WilcoxonSignedRank.test(differences: []) }
        #expect(throws: StatsError.self) { try WilcoxonSignedRank.test([1, 2], [1]) }
    }
}
