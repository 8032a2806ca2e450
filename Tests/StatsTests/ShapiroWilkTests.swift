import Foundation
import Testing
import TestSupport
@testable import Stats

@Suite struct ShapiroWilkTests {
    @Test func matchesSciPy() throws {
        for c in try StatsReference.load().shapiro {
            let result = try ShapiroWilk.test(c.x)
            expectReference("shapiro.W", result.statistic, c.statistic, relative: 1e-12)
            // The p-value goes through log(1 − W), which amplifies W's last-bit differences by 1/(1 − W):
            // ~3000× for n = 5000 (1 − W = 3.5e-4).
            expectReference("shapiro.p", result.pValue, c.pvalue, relative: c.x.count >= 500 ? 1e-10 : 1e-11)
        }
    }

    @Test func exactForThreeValues() throws {
        // n = 3: W = ¾·(range-weighted)…; equally spaced values give W = 1, p = 1.
        let result = try ShapiroWilk.test([1, 2, 3])
        expectClose(result.statistic, 1, absolute: 1e-15)
        expectClose(result.pValue, 1, absolute: 1e-7)
        // [1, 2, 10]: a = 1/√2, W = (a·9)² / Σ(x − x̄)² = 40.5 / 48.667 = 0.83219…; p = 1 − (6/π)·acos(√W).
        let w = 40.5 / (pow(1 - 13.0 / 3, 2) + pow(2 - 13.0 / 3, 2) + pow(10 - 13.0 / 3, 2))
        let skewed = try ShapiroWilk.test([1, 2, 10])
        expectClose(skewed.statistic, w, absolute: 0, relative: 1e-14)
        expectClose(skewed.pValue, 1 - 6 / Double.pi * acos(w.squareRoot()), absolute: 0, relative: 1e-12)
    }

    @Test func invariantToShiftAndScale() throws {
        let x: [Double] = [2.1, 3.4, 1.9, 5.6, 4.4, 3.3, 2.8, 7.5, 3.9]
        let base = try ShapiroWilk.test(x)
        let moved = try ShapiroWilk.test(x.map { 1000 + 3 * $0 })
        expectClose(moved.statistic, base.statistic, absolute: 0, relative: 1e-12)
        expectClose(moved.pValue, base.pValue, absolute: 0, relative: 1e-9)
    }

    @Test func degenerateInput() throws {
        #expect(throws: StatsError.tooFewObservations(argument: "x", count: 2, minimum: 3)) {
            try ShapiroWilk.test([1, 2])
        }
        #expect(throws: StatsError.self) { try ShapiroWilk.test([1, .nan, 3]) }
        // SciPy: zero range → W = 1, p = 1 (with a warning).
        #expect(try ShapiroWilk.test([4, 4, 4, 4]) == ShapiroWilkResult(statistic: 1, pValue: 1))
    }
}
