import Foundation
import Testing
import TestSupport
@testable import Stats

@Suite struct DeLongAUCTests {
    /// The fixture's variance comes from the O(m·n) structural components of DeLong et al. (1988), computed
    /// in the fixture script; the Swift code uses Sun & Xu's midrank algorithm.
    @Test func matchesPairwiseDefinition() throws {
        for c in try StatsReference.load().roc where c.labels.count(where: { $0 == 1 }) >= 2 {
            let result = try DeLongAUC(labels: c.booleanLabels, scores: c.scores)
            expectReference("delong.auc", result.auc, c.auc, relative: 1e-13)
            expectReference("delong.variance", result.variance, c.delongVariance, relative: 1e-11, absolute: 1e-17)
            expectReference("delong.ci", result.lower, c.delongCi95[0], relative: 1e-12)
            expectReference("delong.ci", result.upper, c.delongCi95[1], relative: 1e-12)
        }
    }

    @Test func handCalculation() throws {
        // Positives {2, 3}, negatives {1, 4}: ψ = [[1, 0], [1, 0]] → AUC ½; V₁₀ = (½, ½), V₀₁ = (1, 0):
        // S₁₀ = 0, S₀₁ = ½ → Var = ½ / 2 = ¼.
        let result = try DeLongAUC(labels: [true, true, false, false], scores: [2, 3, 1, 4])
        #expect(result.auc == 0.5)
        expectClose(result.variance, 0.25, absolute: 1e-16)
        // ½ ± 1.96·½ is clipped to [0, 1].
        #expect(result.lower == 0 && result.upper == 1)
        let narrow = try DeLongAUC(labels: [true, true, false, false], scores: [2, 3, 1, 4], confidenceLevel: 0.5)
        expectClose(narrow.upper, 0.5 + Normal.ppf(0.75) * 0.5, absolute: 1e-15)
    }

    @Test func needsTwoCasesPerClass() {
        #expect(throws: StatsError.tooFewObservations(argument: "positive labels", count: 1, minimum: 2)) {
            try DeLongAUC(labels: [true, false, false], scores: [1, 2, 3])
        }
        #expect(throws: StatsError.self) { try DeLongAUC(labels: [true, false], scores: [1, 2], confidenceLevel: 1) }
    }
}
