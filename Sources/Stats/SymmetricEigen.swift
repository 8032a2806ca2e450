import Foundation

/// Eigenvalues of a real symmetric matrix by the cyclic Jacobi method (Golub & Van Loan, Matrix Computations,
/// §8.5): plane rotations zero the off-diagonal elements one pair at a time until their norm is negligible
/// against the matrix's. Accurate to working precision for the matrices NeoICH needs (covariances of at most a
/// few hundred variables, e.g. the principal variance of a classifier's last-layer inputs).
public enum SymmetricEigen {
    /// The eigenvalues (ascending) of the symmetric `size × size` matrix stored row-major in `matrix`. Only the
    /// upper triangle is read.
    ///
    /// - Precondition: `matrix.count == size * size`.
    public static func values(_ matrix: [Double], size n: Int, maximumSweeps: Int = 100) -> [Double] {
        precondition(matrix.count == n * n, "a \(n) × \(n) matrix needs \(n * n) values, got \(matrix.count)")
        var a = matrix
        for i in 0..<n { for j in 0..<i { a[i * n + j] = a[j * n + i] } }
        let scale = a.reduce(0) { $0 + $1 * $1 }
        guard n > 1, scale > 0 else { return (0..<n).map { a[$0 * n + $0] }.sorted() }
        for _ in 0..<maximumSweeps {
            var off = 0.0
            for p in 0..<n { for q in (p + 1)..<n { off += a[p * n + q] * a[p * n + q] } }
            if off <= 1e-30 * scale { break }
            for p in 0..<(n - 1) {
                for q in (p + 1)..<n {
                    let apq = a[p * n + q]
                    if apq == 0 { continue }
                    // The rotation (c, s) that zeroes a[p][q] (the smaller root of t² + 2θt − 1 = 0).
                    let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let akp = a[k * n + p], akq = a[k * n + q]
                        a[k * n + p] = c * akp - s * akq
                        a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p * n + k], aqk = a[q * n + k]
                        a[p * n + k] = c * apk - s * aqk
                        a[q * n + k] = s * apk + c * aqk
                    }
                }
            }
        }
        return (0..<n).map { a[$0 * n + $0] }.sorted()
    }
}
