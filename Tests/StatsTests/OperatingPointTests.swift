import Testing
import TestSupport
@testable import Stats

@Suite struct OperatingPointTests {
    /// The fixture script takes NumPy's argmax of tpr·(1 − fpr) (and of tpr − fpr) over scikit-learn's full
    /// curve and evaluates the threshold with scikit-learn's `confusion_matrix` and `accuracy_score`.
    @Test func matchesScikitLearnArgmax() throws {
        for c in try StatsReference.load().roc {
            for (criterion, expected) in [(OperatingPoint.Criterion.sensitivityTimesSpecificity, c.bestProduct),
                                          (.youdenJ, c.bestYouden)] {
                let point = try OperatingPoint.optimal(labels: c.booleanLabels, scores: c.scores, criterion: criterion)
                #expect(point.threshold == expected.threshold, "\(c.name) \(criterion)")
                let m = point.confusion
                #expect([m.truePositives, m.falsePositives, m.trueNegatives, m.falseNegatives]
                    == [expected.tp, expected.fp, expected.tn, expected.fn], "\(c.name) \(criterion)")
                expectReference("threshold.accuracy", m.accuracy, expected.accuracy, relative: 1e-15)
                expectReference("threshold.sensitivity", m.sensitivity, expected.sensitivity, relative: 1e-15)
                expectReference("threshold.specificity", m.specificity, expected.specificity, relative: 1e-15)
            }
        }
    }

    @Test func productCanPickAPointTheDefaultCurveDrops() throws {
        // Scores 4, 3, 2, 1 with labels +, −, +, −: the full curve's points (fpr, tpr) are (0, ½), (½, ½),
        // (½, 1), (1, 1): products ½, ¼, ½, 0. The first maximum is the highest threshold, 4.
        let point = try OperatingPoint.optimal(labels: [true, false, true, false], scores: [4, 3, 2, 1])
        #expect(point.threshold == 4)
        #expect(point.confusion.sensitivity == 0.5 && point.confusion.specificity == 1)
    }

    @Test func needsBothClasses() {
        #expect(throws: StatsError.singleClass(argument: "labels")) {
            try OperatingPoint.optimal(labels: [false, false], scores: [0.1, 0.2])
        }
    }
}
