import Testing
import TestSupport
@testable import Stats

@Suite struct PairedComparisonTests {
    @Test func followsTheStudyRuleAsSciPy() throws {
        let cases = try StudyReference.load().paired
        #expect(Set(cases.map(\.test)) == ["pairedT", "wilcoxon"])
        for c in cases {
            let result = try PairedComparison.compare(c.a, c.b)
            #expect(result.test.rawValue == c.test, "\(c.name)")
            #expect(result.count == c.a.count)
            expectReference("paired.shapiroW", result.normalityStatistic, c.shapiroStatistic, relative: 1e-10)
            expectReference("paired.shapiroP", result.normalityPValue, c.shapiroP, relative: 1e-9)
            expectReference("paired.statistic", result.statistic, c.statistic, relative: 1e-12)
            expectReference("paired.p", result.pValue, c.pvalue, relative: 1e-9)
        }
    }

    @Test func thresholdIsConfigurable() throws {
        let c = try #require(try StudyReference.load().paired.first { $0.name == "normal_differences_n20" })
        let strict = try PairedComparison.compare(c.a, c.b, configuration: .init(normalityAlpha: 1.01))
        #expect(strict.test == .wilcoxon)
        #expect(strict.pValue == (try WilcoxonSignedRank.test(c.a, c.b)).pValue)
    }

    @Test func rejectsBadInput() {
        #expect(throws: StatsError.lengthMismatch(first: "a", firstCount: 3, second: "b", secondCount: 4)) {
            try PairedComparison.compare([1, 2, 3], [1, 2, 3, 4])
        }
        #expect(throws: StatsError.tooFewObservations(argument: "a", count: 2, minimum: 3)) {
            try PairedComparison.compare([1, 2], [2, 3])
        }
    }
}
