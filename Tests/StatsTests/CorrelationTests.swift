import Stats
import Testing
import TestSupport

@Suite("Correlation")
struct CorrelationTests {
    @Test func pearsonMatchesAHandCalculation() {
        // a = 1 2 3, b = 2 4 7: Σ(da·db) = 5, Σda² = 2, Σdb² = 38/3, r = 5 / √(76/3).
        expectClose(Correlation.pearson([1, 2, 3], [2, 4, 7]), 5 / (76.0 / 3).squareRoot(), relative: 1e-14)
        expectClose(Correlation.pearson([1, 2, 3], [3, 2, 1]), -1, relative: 1e-14)
    }

    @Test func undefinedCasesAreNaN() {
        #expect(Correlation.pearson([1, 1, 1], [1, 2, 3]).isNaN)
        #expect(Correlation.pearson([1], [2]).isNaN)
        #expect(Correlation.pearson([1, 2], [1, 2, 3]).isNaN)
        #expect(Correlation.pearson([1, .nan, 3], [1, 2, 3]).isNaN)
    }
}
