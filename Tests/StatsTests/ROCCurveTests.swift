import Testing
import TestSupport
@testable import Stats

@Suite struct ROCCurveTests {
    @Test func matchesScikitLearn() throws {
        for c in try StatsReference.load().roc {
            let curve = try ROCCurve(labels: c.booleanLabels, scores: c.scores)
            #expect(curve.thresholds.first == .infinity)
            #expect(Array(curve.thresholds.dropFirst()) == c.thresholdsAfterInf, "\(c.name)")
            expectClose(curve.falsePositiveRates, c.fpr, absolute: 0, relative: 1e-15, c.name)
            expectClose(curve.truePositiveRates, c.tpr, absolute: 0, relative: 1e-15, c.name)

            let full = try ROCCurve(labels: c.booleanLabels, scores: c.scores, dropIntermediate: false)
            #expect(Array(full.thresholds.dropFirst()) == c.thresholdsAllAfterInf, "\(c.name)")
            expectClose(full.falsePositiveRates, c.fprAll, absolute: 0, relative: 1e-15, c.name)
            expectClose(full.truePositiveRates, c.tprAll, absolute: 0, relative: 1e-15, c.name)

            expectReference("roc_auc_score", try ROCCurve.areaUnderCurve(labels: c.booleanLabels, scores: c.scores),
                            c.auc, relative: 1e-13)
            // Dropping collinear points never changes the area.
            expectClose(full.area, curve.area, absolute: 1e-15, relative: 1e-14)
        }
    }

    @Test func areaIsTheMannWhitneyProbability() throws {
        // AUC = P(score⁺ > score⁻) + ½ P(tie): positives {0.35, 0.8} vs negatives {0.1, 0.4}: 3 of 4 pairs.
        #expect(try ROCCurve.areaUnderCurve(labels: [false, false, true, true], scores: [0.1, 0.4, 0.35, 0.8]) == 0.75)
        // One tie among four pairs: (1 + 1 + 1 + ½)/4.
        #expect(try ROCCurve.areaUnderCurve(labels: [false, false, true, true], scores: [0.1, 0.5, 0.5, 0.8]) == 0.875)
    }

    @Test func oneClassGivesNaNAsScikitLearn() throws {
        #expect(try ROCCurve.areaUnderCurve(labels: [true, true], scores: [0.2, 0.4]).isNaN)
        let curve = try ROCCurve(labels: [true, true], scores: [0.2, 0.4])
        #expect(curve.falsePositiveRates.allSatisfy { $0.isNaN })
        #expect(curve.truePositiveRates == [0, 0.5, 1])
    }

    @Test func rejectsInvalidInput() {
        #expect(throws: StatsError.self) { try ROCCurve(labels: [true], scores: [0.1, 0.2]) }
        #expect(throws: StatsError.self) { try ROCCurve(labels: [true, false], scores: [0.1, .nan]) }
        #expect(throws: StatsError.empty(argument: "scores")) { try ROCCurve(labels: [], scores: []) }
    }
}
