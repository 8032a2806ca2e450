import Foundation
import Testing
import TestSupport
@testable import Stats

@Suite struct GaussianKDETests {
    @Test func matchesSciPy() throws {
        let c = try StatsReference.load().kde
        let kde = try GaussianKDE(c.x)
        expectReference("kde.bandwidth", kde.bandwidth, c.bandwidth, relative: 1e-13)
        for (actual, expected) in zip(kde.density(at: c.grid), c.density) {
            expectReference("kde.density", actual, expected, relative: 1e-12)
        }
    }

    @Test func twoPointsByHand() throws {
        // Samples 0 and 2: SD (ddof 1) √2, factor 1 → two N(·, 2) kernels; density at 1 = φ(1/√2)/√2.
        let kde = try GaussianKDE([0, 2], factor: 1)
        expectClose(kde.bandwidth, 2.0.squareRoot(), absolute: 0, relative: 1e-15)
        expectClose(kde.density(at: 1), exp(-0.25) / (2 * Double.pi).squareRoot() / 2.0.squareRoot(),
                    absolute: 0, relative: 1e-14)
    }

    @Test func rejectsDegenerateSamples() {
        #expect(throws: StatsError.self) { try GaussianKDE([1]) }
        #expect(throws: StatsError.self) { try GaussianKDE([3, 3, 3]) }
    }
}
