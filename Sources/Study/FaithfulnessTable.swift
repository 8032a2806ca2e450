import Plots
import Stats

/// "Table 2" of the explainability study (000_…): each attribution method's faithfulness over the cohort,
/// mean ± SD (sample SD, ddof 1) with the number of cases.
///
/// A case's faithfulness is undefined (NaN) when its map or its probability changes are constant (AIX360's
/// Pearson correlation is then NaN); such cases are counted in `undefined` and left out of the mean.
public struct FaithfulnessTable: Sendable, Codable, Equatable {
    /// One method's row.
    public struct Row: Sendable, Codable, Equatable {
        /// Method name, e.g. "GradCAMPlusPlus".
        public var method: String
        /// Cases with a defined score.
        public var n: Int
        /// Cases whose score was NaN.
        public var undefined: Int
        /// Mean faithfulness; nil when n = 0.
        public var mean: Double?
        /// Sample SD (ddof 1); nil when n < 2.
        public var standardDeviation: Double?
        /// Median; nil when n = 0.
        public var median: Double?
        /// "0.49 ± 0.15", or "–".
        public var text: String
    }

    /// The rows, in the order the methods were given.
    public var rows: [Row]

    /// The method with the highest mean faithfulness (the study explains its cohort with it); nil when no
    /// method has a score.
    public var mostFaithful: String? {
        rows.filter { $0.mean != nil }.max { ($0.mean ?? 0) < ($1.mean ?? 0) }?.method
    }

    /// Builds the table.
    ///
    /// - Parameters:
    ///   - scores: per method (in display order) the per-case scores; NaN marks an undefined score.
    ///   - format: decimals of mean and SD.
    /// - Throws: `StatsError.nonFinite` for an infinite score.
    public static func build(_ scores: [(method: String, values: [Double])], format: TableFormat = TableFormat()) throws
        -> FaithfulnessTable
    {
        var rows: [Row] = []
        for (method, values) in scores {
            if let index = values.firstIndex(where: { $0.isInfinite }) { throw StatsError.nonFinite(argument: method, index: index) }
            let defined = values.filter { !$0.isNaN }
            var row = Row(method: method, n: defined.count, undefined: values.count - defined.count, text: "–")
            if !defined.isEmpty {
                row.mean = try Descriptive.mean(defined)
                row.median = try Descriptive.median(defined)
                if defined.count > 1 { row.standardDeviation = try Descriptive.standardDeviation(defined, ddof: 1) }
                row.text = try format.meanSD(defined)
            }
            rows.append(row)
        }
        return FaithfulnessTable(rows: rows)
    }
}
