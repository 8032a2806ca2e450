import Testing
import TestSupport
@testable import Stats

@Suite struct GroupComparisonTests {
    @Test func followsTheStudyRuleAsSciPy() throws {
        for c in try StatsReference.load().groupComparison {
            let result = try GroupComparison.compare(c.a, c.b)
            #expect(result.test.rawValue == c.test, "\(c.name)")
            expectReference("group.shapiro", result.normalityA.pValue, c.shapiroA, relative: 1e-10)
            expectReference("group.shapiro", result.normalityB.pValue, c.shapiroB, relative: 1e-10)
            expectReference("group.statistic", result.statistic, c.statistic, relative: 1e-12)
            expectReference("group.p", result.pValue, c.pvalue, relative: 1e-11)
        }
    }

    @Test func thresholdIsConfigurable() throws {
        let c = try #require(try StatsReference.load().groupComparison.first { $0.name == "normal_faithfulness" })
        // Both Shapiro p-values are below 0.7, so a stricter normality threshold switches to Mann–Whitney.
        let strict = try GroupComparison.compare(c.a, c.b, configuration: .init(normalityAlpha: 0.7))
        #expect(strict.test == .mannWhitneyU)
        #expect(strict.statistic == (try MannWhitneyU.test(c.a, c.b)).statistic)
    }

    @Test func needsThreeValuesPerGroup() {
        #expect(throws: StatsError.tooFewObservations(argument: "a", count: 2, minimum: 3)) {
            try GroupComparison.compare([1, 2], [1, 2, 3])
        }
    }
}
