import Foundation

/// Binary logistic regression with an L2 penalty on standardised features, fitted by Newton's method
/// (iteratively reweighted least squares).
///
/// Matches scikit-learn's `StandardScaler()` (population standard deviation, scale 1 for a constant feature)
/// followed by `LogisticRegression(C=c)`: it minimises `Σᵢ logloss(yᵢ, β₀ + wᵀzᵢ) + ‖w‖² / (2C)` over the
/// standardised features `z`, with the intercept β₀ not penalised.
public struct LogisticRegression: Sendable, Codable, Equatable {
    /// Per-feature means of the training data (subtracted before the linear predictor).
    public let featureMeans: [Double]
    /// Per-feature population standard deviations of the training data (1 where a feature is constant).
    public let featureScales: [Double]
    /// Coefficients in standardised units (one per feature).
    public let coefficients: [Double]
    /// The intercept β₀.
    public let intercept: Double
    /// The inverse regularisation strength C used for the fit.
    public let regularizationC: Double
    /// Newton iterations used.
    public let iterations: Int

    /// Fits the model.
    ///
    /// - Parameters:
    ///   - features: one row per observation, each with the same number of features.
    ///   - labels: the class of each row (`true` = positive).
    ///   - regularizationC: inverse L2 strength, > 0 (scikit-learn default 1.0); larger means weaker.
    ///   - tolerance: stop when the largest Newton step is below this.
    ///   - maxIterations: Newton iteration limit.
    /// - Returns: the fitted model.
    /// - Throws: `StatsError` for empty, ragged or non-finite input, mismatched lengths, a single class, or
    ///   C ≤ 0.
    public static func fit(features: [[Double]], labels: [Bool], regularizationC: Double = 1.0,
                           tolerance: Double = 1e-10, maxIterations: Int = 100) throws -> LogisticRegression {
        guard let width = features.first?.count else { throw StatsError.empty(argument: "features") }
        try StatsError.checkPaired(features.count, "features", labels.count, "labels")
        guard regularizationC > 0, regularizationC.isFinite else {
            throw StatsError.outOfDomain(argument: "regularizationC", value: regularizationC, expected: "a finite value > 0")
        }
        guard labels.contains(true), labels.contains(false) else { throw StatsError.singleClass(argument: "labels") }
        for (i, row) in features.enumerated() {
            try StatsError.checkPaired(row.count, "features[\(i)]", width, "features[0]")
            try StatsError.check(row, "features[\(i)]")
        }
        let n = Double(features.count)
        var means = [Double](repeating: 0, count: width), scales = [Double](repeating: 1, count: width)
        for j in 0..<width {
            let column = features.map { $0[j] }
            means[j] = column.reduce(0, +) / n
            let variance = column.reduce(0) { $0 + ($1 - means[j]) * ($1 - means[j]) } / n
            scales[j] = variance > 0 ? variance.squareRoot() : 1
        }
        // Design matrix with a leading column of ones for the intercept.
        let rows = features.map { row in [1.0] + (0..<width).map { (row[$0] - means[$0]) / scales[$0] } }
        let targets = labels.map { $0 ? 1.0 : 0.0 }
        let lambda = 1 / regularizationC
        let p = width + 1
        var beta = [Double](repeating: 0, count: p)
        var iterations = 0
        while iterations < maxIterations {
            iterations += 1
            var gradient = [Double](repeating: 0, count: p)
            var hessian = [Double](repeating: 0, count: p * p)
            for (row, y) in zip(rows, targets) {
                let mu = sigmoid(dot(row, beta))
                let weight = max(mu * (1 - mu), 1e-12)
                for a in 0..<p {
                    gradient[a] += (mu - y) * row[a]
                    for b in 0...a { hessian[a * p + b] += weight * row[a] * row[b] }
                }
            }
            for a in 1..<p {
                gradient[a] += lambda * beta[a]
                hessian[a * p + a] += lambda
            }
            for a in 0..<p { for b in 0..<a { hessian[b * p + a] = hessian[a * p + b] } }
            guard let step = solve(hessian, gradient, size: p) else { break }
            var largest = 0.0
            for a in 0..<p {
                beta[a] -= step[a]
                largest = max(largest, abs(step[a]))
            }
            if largest < tolerance { break }
        }
        return LogisticRegression(featureMeans: means, featureScales: scales, coefficients: Array(beta.dropFirst()),
                                  intercept: beta[0], regularizationC: regularizationC, iterations: iterations)
    }

    /// The linear predictor (log-odds of the positive class) for one row of raw features.
    public func decisionFunction(_ row: [Double]) -> Double {
        var score = intercept
        for j in 0..<min(row.count, coefficients.count) {
            score += coefficients[j] * (row[j] - featureMeans[j]) / featureScales[j]
        }
        return score
    }

    /// The probability of the positive class for one row of raw features.
    public func probability(_ row: [Double]) -> Double { Self.sigmoid(decisionFunction(row)) }

    // MARK: - Numerics

    private static func sigmoid(_ t: Double) -> Double {
        t >= 0 ? 1 / (1 + exp(-t)) : exp(t) / (1 + exp(t))
    }

    private static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in 0..<a.count { s += a[i] * b[i] }
        return s
    }

    /// Solves `A x = b` (A symmetric positive definite, row-major) by Gaussian elimination with partial
    /// pivoting; `nil` when A is singular.
    private static func solve(_ matrix: [Double], _ rhs: [Double], size n: Int) -> [Double]? {
        var a = matrix, b = rhs
        for column in 0..<n {
            var pivot = column
            for r in (column + 1)..<max(n, column + 1) where abs(a[r * n + column]) > abs(a[pivot * n + column]) { pivot = r }
            guard abs(a[pivot * n + column]) > 1e-300 else { return nil }
            if pivot != column {
                for c in 0..<n { a.swapAt(column * n + c, pivot * n + c) }
                b.swapAt(column, pivot)
            }
            for r in (column + 1)..<max(n, column + 1) {
                let factor = a[r * n + column] / a[column * n + column]
                if factor == 0 { continue }
                for c in column..<n { a[r * n + c] -= factor * a[column * n + c] }
                b[r] -= factor * b[column]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for r in stride(from: n - 1, through: 0, by: -1) {
            var s = b[r]
            for c in (r + 1)..<max(n, r + 1) { s -= a[r * n + c] * x[c] }
            x[r] = s / a[r * n + r]
        }
        return x
    }
}
