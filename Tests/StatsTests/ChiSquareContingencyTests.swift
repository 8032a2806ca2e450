import Testing
import TestSupport
@testable import Stats

@Suite struct ChiSquareContingencyTests {
    @Test func matchesSciPy() throws {
        for c in try StatsReference.load().chi2Contingency {
            let result = try ChiSquareContingency.test(c.table, yatesCorrection: c.correction)
            expectReference("chi2_contingency.stat", result.statistic, c.statistic, relative: 1e-12)
            expectReference("chi2_contingency.p", result.pValue, c.pvalue, relative: 1e-12)
            #expect(result.degreesOfFreedom == c.dof)
            for (row, expectedRow) in zip(result.expected, c.expected) {
                expectClose(row, expectedRow, absolute: 0, relative: 1e-14)
            }
        }
    }

    @Test func yatesByHand() throws {
        // [[10, 20], [20, 10]]: expected 15 everywhere, |o − e| = 5 → 4.5 after Yates: χ² = 4·4.5²/15 = 5.4.
        let corrected = try ChiSquareContingency.test([[10, 20], [20, 10]] as [[Int]])
        expectClose(corrected.statistic, 5.4, absolute: 0, relative: 1e-14)
        let plain = try ChiSquareContingency.test([[10, 20], [20, 10]] as [[Int]], yatesCorrection: false)
        expectClose(plain.statistic, 4 * 25 / 15.0, absolute: 0, relative: 1e-14)
        // With 1 dof the p-value is erfc(√(χ²/2)).
        expectClose(plain.pValue, ChiSquared(degreesOfFreedom: 1).sf(plain.statistic), absolute: 0, relative: 1e-15)
    }

    @Test func rejectsInvalidTables() {
        #expect(throws: StatsError.self) { try ChiSquareContingency.test([[1, 2], [3]] as [[Double]]) }
        #expect(throws: StatsError.self) { try ChiSquareContingency.test([[1, -2], [3, 4]] as [[Double]]) }
        #expect(throws: StatsError.self) { try ChiSquareContingency.test([[0, 0], [3, 4]] as [[Double]]) }
        #expect(throws: StatsError.empty(argument: "observed")) { try ChiSquareContingency.test([] as [[Double]]) }
    }
}
