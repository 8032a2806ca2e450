import Stats
import Testing
import TestSupport

@Suite("Symmetric eigenvalues")
struct SymmetricEigenTests {
    @Test func twoByTwoByHand() {
        // [[2, 1], [1, 2]]: eigenvalues 1 and 3.
        let values = SymmetricEigen.values([2, 1, 1, 2], size: 2)
        expectClose(values[0], 1, absolute: 1e-12)
        expectClose(values[1], 3, absolute: 1e-12)
        #expect(SymmetricEigen.values([5], size: 1) == [5])
        #expect(SymmetricEigen.values([0, 0, 0, 0], size: 2) == [0, 0])
    }

    @Test func matchesNumPy() {
        // /usr/bin/python3 -c "import numpy as np; r = np.random.default_rng(7); x = r.normal(size=(6, 6));
        //   m = np.round(x @ x.T - 3 * np.eye(6), 3); print(m.tolist()); print(np.linalg.eigvalsh(m).tolist())"
        let m: [Double] = [
            -0.852, 0.511, 0.176, 0.634, 1.024, 1.162, 0.511, -0.206, -2.479, -1.314, 1.349, 0.483,
            0.176, -2.479, 0.378, 2.469, -0.097, -1.307, 0.634, -1.314, 2.469, 7.405, 4.797, 3.954,
            1.024, 1.349, -0.097, 4.797, 3.699, 2.605, 1.162, 0.483, -1.307, 3.954, 2.605, 2.959,
        ]
        let numpy = [-2.921962210657806, -1.7793627755104127, -0.831131594824827, 0.955832684025122, 4.729692371073326, 13.2299315258946]
        for (a, b) in zip(SymmetricEigen.values(m, size: 6), numpy) { expectClose(a, b, absolute: 1e-10) }
    }

    @Test func rankDeficientCovariance() {
        // Rows (1, 2, 3) · t for t = 1…4: one direction holds all the variance.
        var covariance = [Double](repeating: 0, count: 9)
        let v: [Double] = [1, 2, 3]
        for a in 0..<3 { for b in 0..<3 { covariance[a * 3 + b] = v[a] * v[b] * 1.25 } }
        let values = SymmetricEigen.values(covariance, size: 3)
        expectClose(values[2], 14 * 1.25, absolute: 1e-10)
        expectClose(values[0], 0, absolute: 1e-10)
        expectClose(values[1], 0, absolute: 1e-10)
    }
}
