extension Correlation {
    /// Pearson's r with a non-negative weight per pair: weighted means, covariance and variances
    /// (`Σ w (a − ā)(b − b̄) / √(Σ w (a − ā)² · Σ w (b − b̄)²)`). With all weights 1 it is `pearson`; a weight k
    /// counts the pair k times, so a uniform sample weighted by population / sample size estimates the
    /// population's r. NaN when the lengths differ, a value or weight is not finite or negative, the weights sum
    /// to 0, or either side is constant over the weighted pairs.
    public static func weightedPearson(_ a: [Double], _ b: [Double], weights w: [Double]) -> Double {
        let n = a.count
        guard n == b.count, n == w.count, n > 1 else { return .nan }
        var total = 0.0, sumA = 0.0, sumB = 0.0
        for i in 0..<n {
            guard a[i].isFinite, b[i].isFinite, w[i].isFinite, w[i] >= 0 else { return .nan }
            total += w[i]
            sumA += w[i] * a[i]
            sumB += w[i] * b[i]
        }
        guard total > 0 else { return .nan }
        let meanA = sumA / total, meanB = sumB / total
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for i in 0..<n where w[i] > 0 {
            let da = a[i] - meanA, db = b[i] - meanB
            sab += w[i] * da * db
            saa += w[i] * da * da
            sbb += w[i] * db * db
        }
        guard saa > 0, sbb > 0 else { return .nan }
        return sab / (saa * sbb).squareRoot()
    }
}
