import Foundation
import Stats
import TestSupport
import Testing

/// `Fixtures/logistic_regression_reference.json`, written by `scripts/fixtures/logistic_fixtures.py`
/// (scikit-learn `StandardScaler` + `LogisticRegression(C)`).
private struct LogisticReference: Decodable {
    struct Fit: Decodable {
        let c: Double
        let means, scales, coefficients, probabilities: [Double]
        let intercept: Double
    }
    let x: [[Double]]
    let y: [Bool]
    let fits: [Fit]
}

@Suite struct LogisticRegressionTests {
    private func reference() throws -> LogisticReference {
        try Fixture.json(LogisticReference.self, "logistic_regression_reference.json", in: .module)
    }

    @Test func matchesScikitLearnForEveryC() throws {
        let ref = try reference()
        #expect(ref.fits.count == 3)
        for fit in ref.fits {
            let model = try LogisticRegression.fit(features: ref.x, labels: ref.y, regularizationC: fit.c)
            expectClose(model.featureMeans, fit.means, absolute: 1e-10, relative: 1e-10, "means, C \(fit.c)")
            expectClose(model.featureScales, fit.scales, absolute: 1e-10, relative: 1e-10, "scales, C \(fit.c)")
            expectClose(model.coefficients, fit.coefficients, absolute: 1e-6, relative: 1e-5, "coefficients, C \(fit.c)")
            expectClose(model.intercept, fit.intercept, absolute: 1e-6, relative: 1e-5, "intercept, C \(fit.c)")
            expectClose(ref.x.map(model.probability), fit.probabilities, absolute: 1e-7, "probabilities, C \(fit.c)")
        }
    }

    @Test func constantFeatureGetsScaleOneAndZeroWeight() throws {
        let x: [[Double]] = [[1, 5], [2, 5], [3, 5], [4, 5], [2.5, 5], [1.5, 5]]
        let y = [false, false, true, true, true, false]
        let model = try LogisticRegression.fit(features: x, labels: y)
        #expect(model.featureScales[1] == 1)
        expectClose(model.coefficients[1], 0, absolute: 1e-12)
    }

    @Test func rejectsBadInput() {
        #expect(throws: StatsError.self) { try LogisticRegression.fit(features: [], labels: []) }
        #expect(throws: StatsError.self) { try LogisticRegression.fit(features: [[1], [2]], labels: [true, true]) }
        #expect(throws: StatsError.self) { try LogisticRegression.fit(features: [[1], [2, 3]], labels: [true, false]) }
        #expect(throws: StatsError.self) { try LogisticRegression.fit(features: [[1], [.nan]], labels: [true, false]) }
        #expect(throws: StatsError.self) {
            try LogisticRegression.fit(features: [[1], [2]], labels: [true, false], regularizationC: 0)
        }
    }
}
