/// Correlation coefficients.
public enum Correlation {
    /// Pearson's r (as `scipy.stats.pearsonr`'s statistic, in double precision); NaN when the lengths differ,
    /// fewer than two pairs are given, a value is not finite, or either side is constant (SciPy warns and
    /// returns NaN there too).
    public static func pearson(_ a: [Double], _ b: [Double]) -> Double {
        let n = a.count
        guard n == b.count, n > 1, !a.contains(where: { !$0.isFinite }), !b.contains(where: { !$0.isFinite }) else { return .nan }
        let meanA = a.reduce(0, +) / Double(n), meanB = b.reduce(0, +) / Double(n)
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for i in 0..<n {
            let da = a[i] - meanA, db = b[i] - meanB
            sab += da * db
            saa += da * da
            sbb += db * db
        }
        guard saa > 0, sbb > 0 else { return .nan }
        return sab / (saa * sbb).squareRoot()
    }
}
