import Testing
import TestSupport
@testable import Stats

@Suite struct DescriptiveTests {
    @Test func matchesNumPy() throws {
        for c in try StatsReference.load().descriptive {
            expectReference("mean", try Descriptive.mean(c.x), c.mean, relative: 1e-14)
            expectReference("std", try Descriptive.standardDeviation(c.x), c.stdDdof0, relative: 1e-13)
            expectReference("std", try Descriptive.standardDeviation(c.x, ddof: 1), c.stdDdof1.orNaN, relative: 1e-13)
            expectReference("median", try Descriptive.median(c.x), c.median, relative: 1e-15)
            expectReference("iqr", try Descriptive.interquartileRange(c.x), c.iqr, relative: 1e-14)
            let quantiles = try Descriptive.quantiles(c.x, c.probs)
            for (actual, expected) in zip(quantiles, c.quantiles) {
                expectReference("quantile", actual, expected, relative: 1e-15)
            }
        }
    }

    @Test func handCalculations() throws {
        // 1…5: mean 3, population variance 2, sample variance 2.5; quartiles 2 and 4.
        let x: [Double] = [5, 1, 4, 2, 3]
        #expect(try Descriptive.mean(x) == 3)
        #expect(try Descriptive.variance(x) == 2)
        #expect(try Descriptive.variance(x, ddof: 1) == 2.5)
        #expect(try Descriptive.quantiles(x, [0, 0.25, 0.5, 0.75, 1]) == [1, 2, 3, 4, 5])
        // Type 7 on [1, 2, 3, 4]: h = 3·0.1 = 0.3 → 1 + 0.3·1.
        expectClose(try Descriptive.quantile([4, 3, 2, 1], 0.1), 1.3, absolute: 1e-15)
        #expect(try Descriptive.median([1, 2, 3, 10]) == 2.5)
        #expect(try Descriptive.variance([7], ddof: 1).isNaN)
    }

    @Test func rejectsInvalidInput() {
        #expect(throws: StatsError.empty(argument: "x")) { try Descriptive.mean([]) }
        #expect(throws: StatsError.nonFinite(argument: "x", index: 1)) { try Descriptive.median([1, .nan]) }
        #expect(throws: StatsError.self) { try Descriptive.quantile([1, 2], 1.5) }
        #expect(throws: StatsError.self) { try Descriptive.variance([1, 2], ddof: -1) }
    }
}
