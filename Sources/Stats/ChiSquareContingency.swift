import Foundation

/// The result of Pearson's χ² test of independence (`scipy.stats.chi2_contingency`).
public struct ChiSquareContingencyResult: Sendable, Equatable {
    /// Pearson's χ² (after Yates' correction when it applies).
    public let statistic: Double
    /// P(χ²_dof > statistic); 1 when dof = 0.
    public let pValue: Double
    /// (rows − 1)(columns − 1).
    public let degreesOfFreedom: Int
    /// Expected frequencies under independence, row total × column total / grand total.
    public let expected: [[Double]]
}

/// Pearson's χ² test of independence of a two-way contingency table, as `scipy.stats.chi2_contingency`.
public enum ChiSquareContingency {
    /// Tests whether rows and columns of `observed` are independent.
    ///
    /// - Parameters:
    ///   - observed: the table of counts, one inner array per row (all rows the same length).
    ///   - yatesCorrection: when dof = 1 (a 2×2 table), move every observed count ½ towards its expected
    ///     count, but not past it; `true` (SciPy's default `correction=True`). Ignored for other tables.
    /// - Returns: statistic, p-value, dof and expected table; a table with dof = 0 (one row or column)
    ///   gives χ² = 0, p = 1 as SciPy.
    /// - Throws: `StatsError.empty`, `StatsError.nonFinite`, `StatsError.invalidTable` for a ragged table, a
    ///   negative count or a zero expected frequency (SciPy raises ValueError for the last two).
    public static func test(_ observed: [[Double]], yatesCorrection: Bool = true) throws -> ChiSquareContingencyResult {
        guard let columns = observed.first?.count, columns > 0 else { throw StatsError.empty(argument: "observed") }
        for (r, row) in observed.enumerated() {
            guard row.count == columns else {
                throw StatsError.invalidTable("row \(r) has \(row.count) cells; expected \(columns) like row 0")
            }
            for (c, value) in row.enumerated() {
                guard value.isFinite else { throw StatsError.nonFinite(argument: "observed[\(r)]", index: c) }
                guard value >= 0 else {
                    throw StatsError.invalidTable("observed[\(r)][\(c)] = \(value); expected a count ≥ 0")
                }
            }
        }
        let rowTotals = observed.map { CompensatedSum.of($0) }
        let columnTotals = (0..<columns).map { c in CompensatedSum.of(observed.lazy.map { $0[c] }) }
        let total = CompensatedSum.of(rowTotals)
        let expected = rowTotals.map { rowTotal in columnTotals.map { rowTotal * $0 / total } }
        for (r, row) in expected.enumerated() {
            if let c = row.firstIndex(where: { !($0 > 0) }) {
                throw StatsError.invalidTable("expected frequency at [\(r)][\(c)] is zero (an empty row or column)")
            }
        }
        let dof = (observed.count - 1) * (columns - 1)
        guard dof > 0 else {
            return ChiSquareContingencyResult(statistic: 0, pValue: 1, degreesOfFreedom: 0, expected: expected)
        }
        var terms: [Double] = []
        for (observedRow, expectedRow) in zip(observed, expected) {
            for (o, e) in zip(observedRow, expectedRow) {
                var o = o
                if dof == 1 && yatesCorrection {
                    // gh-13875: the correction never moves a count past its expected value.
                    let difference = e - o
                    o += min(0.5, abs(difference)) * (difference > 0 ? 1 : difference < 0 ? -1 : 0)
                }
                terms.append((o - e) * (o - e) / e)
            }
        }
        let statistic = CompensatedSum.of(terms)
        let p = ChiSquared(degreesOfFreedom: Double(dof)).sf(statistic)
        return ChiSquareContingencyResult(statistic: statistic, pValue: p, degreesOfFreedom: dof, expected: expected)
    }

    /// The same test on integer counts.
    public static func test(_ observed: [[Int]], yatesCorrection: Bool = true) throws -> ChiSquareContingencyResult {
        try test(observed.map { $0.map(Double.init) }, yatesCorrection: yatesCorrection)
    }
}
