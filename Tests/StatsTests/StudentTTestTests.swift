import Testing
import TestSupport
@testable import Stats

@Suite struct StudentTTestTests {
    @Test func independentMatchesSciPy() throws {
        for c in try StatsReference.load().ttestInd {
            let result = try StudentTTest.independent(c.a, c.b)
            expectReference("ttest_ind.t", result.statistic, c.statistic, relative: 1e-12)
            expectReference("ttest_ind.p", result.pValue, c.pvalue, relative: 1e-11)
            #expect(result.degreesOfFreedom == c.df)
        }
    }

    @Test func pairedMatchesSciPy() throws {
        for c in try StatsReference.load().ttestRel {
            let result = try StudentTTest.paired(c.a, c.b)
            expectReference("ttest_rel.t", result.statistic, c.statistic, relative: 1e-12)
            expectReference("ttest_rel.p", result.pValue, c.pvalue, relative: 1e-11)
            #expect(result.degreesOfFreedom == c.df)
        }
    }

    @Test func handCalculation() throws {
        // [1, 2, 3] vs [4, 5, 6]: difference −3, pooled variance 1, SE √(2/3): t = −3/√(2/3) = −3.674…
        let result = try StudentTTest.independent([1, 2, 3], [4, 5, 6])
        expectClose(result.statistic, -3 / (2.0 / 3).squareRoot(), absolute: 0, relative: 1e-14)
        #expect(result.degreesOfFreedom == 4)
        // Paired differences −1, −1, −2: mean −4/3, SD 1/√3, SE 1/3: t = −4.
        expectClose(try StudentTTest.paired([1, 2, 3], [2, 3, 5]).statistic, -4, absolute: 0, relative: 1e-14)
    }

    @Test func degenerateInputAsSciPy() throws {
        // Zero variance with different means: t = −∞, p = 0; equal constants: 0/0 = NaN.
        let apart = try StudentTTest.independent([1, 1, 1], [2, 2, 2])
        #expect(apart.statistic == -.infinity && apart.pValue == 0)
        let same = try StudentTTest.independent([1, 1, 1], [1, 1, 1])
        #expect(same.statistic.isNaN && same.pValue.isNaN)
        // A group of one adds no variance: [1] vs [2, 3] gives t = −1.5/√(0.5·1.5) = −√3 with 1 df, and for
        // the Cauchy distribution 2·P(T > √3) = 1 − (2/π)·atan(√3) = ⅓.
        let single = try StudentTTest.independent([1], [2, 3])
        expectClose(single.statistic, -(3.0).squareRoot(), absolute: 0, relative: 1e-14)
        expectClose(single.pValue, 1.0 / 3, absolute: 0, relative: 1e-13)
        // No degrees of freedom left.
        #expect(try StudentTTest.independent([1], [2]).pValue.isNaN)
        #expect(try StudentTTest.paired([1], [2]).pValue.isNaN)
        #expect(throws: StatsError.empty(argument: "a")) { try StudentTTest.independent([], [1, 2]) }
        #expect(throws: StatsError.self) { try StudentTTest.paired([1, 2], [1, 2, 3]) }
    }
}
