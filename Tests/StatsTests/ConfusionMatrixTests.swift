import Testing
import TestSupport
@testable import Stats

@Suite struct ConfusionMatrixTests {
    @Test func countsAndRatesByHand() throws {
        let labels = [true, true, true, false, false, false, false]
        let scores = [0.9, 0.6, 0.2, 0.7, 0.3, 0.1, 0.6]
        // Threshold 0.6 (inclusive): TP = 2 (0.9, 0.6), FN = 1, FP = 2 (0.7, 0.6), TN = 2.
        let m = try ConfusionMatrix(labels: labels, scores: scores, threshold: 0.6)
        #expect(m == ConfusionMatrix(truePositives: 2, falsePositives: 2, trueNegatives: 2, falseNegatives: 1))
        #expect(m.total == 7)
        #expect(m.accuracy == 4.0 / 7)
        #expect(m.sensitivity == 2.0 / 3)
        #expect(m.specificity == 0.5)
        #expect(m.positivePredictiveValue == 0.5)
        #expect(m.negativePredictiveValue == 2.0 / 3)
    }

    @Test func undefinedRatesAreNaN() {
        let m = ConfusionMatrix(truePositives: 0, falsePositives: 0, trueNegatives: 3, falseNegatives: 0)
        #expect(m.sensitivity.isNaN)
        #expect(m.positivePredictiveValue.isNaN)
        #expect(m.specificity == 1)
    }

    @Test func rejectsMismatchedLengths() {
        #expect(throws: StatsError.self) { try ConfusionMatrix(labels: [true], predictions: [true, false]) }
    }
}
