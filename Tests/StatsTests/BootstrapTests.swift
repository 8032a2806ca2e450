import Testing
import TestSupport
@testable import Stats

@Suite struct BootstrapTests {
    @Test func sameSeedSameInterval() throws {
        let c = try #require(try StatsReference.load().roc.first { $0.name == "continuous_n40" })
        let auc: ([Bool], [Double]) throws -> Double = { try ROCCurve.areaUnderCurve(labels: $0, scores: $1) }
        let configuration = Bootstrap.Configuration(resamples: 500)
        var first = Xoshiro256StarStar(seed: 7)
        var second = Xoshiro256StarStar(seed: 7)
        let a = try Bootstrap.interval(labels: c.booleanLabels, scores: c.scores, configuration: configuration,
                                       using: &first, statistic: auc)
        let b = try Bootstrap.interval(labels: c.booleanLabels, scores: c.scores, configuration: configuration,
                                       using: &second, statistic: auc)
        #expect(a == b)
        #expect(a.estimate == c.auc)
        #expect(a.validResamples == 500)
        #expect(a.lower < a.estimate && a.estimate < a.upper)
        // The percentile interval and DeLong's normal interval estimate the same spread: their widths agree
        // within sampling error of 500 resamples (DeLong's 95 % width here is 0.214).
        let delongWidth = c.delongCi95[1] - c.delongCi95[0]
        #expect(abs((a.upper - a.lower) - delongWidth) < 0.25 * delongWidth)
    }

    @Test func stratifiedResamplesKeepClassSizes() throws {
        let labels = [true, true, false, false, false]
        var generator = Xoshiro256StarStar(seed: 1)
        // The statistic "number of positives" is constant under stratification.
        let interval = try Bootstrap.interval(labels: labels, scores: [1, 2, 3, 4, 5],
                                              configuration: .init(resamples: 200), using: &generator) { l, _ in
            Double(l.count { $0 })
        }
        #expect(interval.lower == 2 && interval.upper == 2)
    }

    @Test func percentilesOfAConstantStatistic() throws {
        var generator = SplitMix64(seed: 3)
        let interval = try Bootstrap.interval([4, 4, 4], using: &generator) { try Descriptive.mean($0) }
        #expect(interval.lower == 4 && interval.upper == 4 && interval.estimate == 4)
    }

    @Test func unstratifiedSkipsOneClassResamples() throws {
        var generator = Xoshiro256StarStar(seed: 11)
        // With 1 positive in 4 cases, about (3/4)⁴ ≈ 32 % of plain resamples have no positive: AUC NaN.
        let interval = try Bootstrap.interval(
            labels: [true, false, false, false], scores: [0.9, 0.1, 0.2, 0.3],
            configuration: .init(resamples: 400, stratified: false), using: &generator
        ) { try ROCCurve.areaUnderCurve(labels: $0, scores: $1) }
        #expect(interval.validResamples > 200 && interval.validResamples < 350)
        #expect(interval.lower == 1 && interval.upper == 1)
    }

    @Test func rejectsBadConfiguration() {
        var generator = SplitMix64(seed: 0)
        #expect(throws: StatsError.self) {
            try Bootstrap.interval([1, 2], configuration: .init(resamples: 0), using: &generator) { $0[0] }
        }
        #expect(throws: StatsError.self) {
            try Bootstrap.interval([1, 2], configuration: .init(confidenceLevel: 1.2), using: &generator) { $0[0] }
        }
    }
}
