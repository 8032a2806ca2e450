import Plots
import Stats

/// "Table 1" of a two-group study: baseline characteristics overall and per group, as 001_… Table 1 and
/// 000_… Table 1 report them.
///
/// Continuous variables are summarised as median [Q1; Q3] (type-7 quartiles, NumPy's default) and compared
/// with the two-sided Mann–Whitney U test (`scipy.stats.mannwhitneyu`, SciPy's defaults); binary variables
/// as n (%) and compared with Pearson's χ² on the 2 × 2 table, Yates-corrected as
/// `scipy.stats.chi2_contingency`'s default. Missing values (nil) are left out per variable; the
/// percentage's denominator is the number of cases with a value.
public struct BaselineCharacteristics: Sendable, Codable, Equatable {
    /// One variable of the table.
    public struct Variable: Sendable, Equatable {
        /// The values of one variable, one per case (nil = missing).
        public enum Values: Sendable, Equatable {
            /// Summarised as median [IQR], compared with Mann–Whitney U.
            case continuous([Double?])
            /// Summarised as n (%) of `true`, compared with χ² (Yates on 2 × 2).
            case binary([Bool?])
        }

        /// Row label, e.g. "Age [years]".
        public var name: String
        /// The values, in the order of the table's cases.
        public var values: Values
        /// Whether to compute a p-value; false for descriptive rows such as a subtype that exists in one group only.
        public var compare: Bool

        /// A variable of the table.
        public init(name: String, values: Values, compare: Bool = true) {
            self.name = name
            self.values = values
            self.compare = compare
        }
    }

    /// The summary of one variable in one column (all cases, or one group).
    public struct Cell: Sendable, Codable, Equatable {
        /// Cases with a value.
        public var n: Int
        /// Median (continuous).
        public var median: Double?
        /// First quartile (continuous).
        public var q1: Double?
        /// Third quartile (continuous).
        public var q3: Double?
        /// Number of `true` (binary).
        public var count: Int?
        /// 100 · count / n (binary).
        public var percent: Double?
        /// The formatted cell: "66.00 [51.00; 77.00]", "157 (54.0%)", or "–" without values.
        public var text: String
    }

    /// One row: a variable, its three cells and the test.
    public struct Row: Sendable, Codable, Equatable {
        /// Row label.
        public var name: String
        /// "continuous" or "binary".
        public var kind: String
        /// All cases, then the first group, then the second.
        public var cells: [Cell]
        /// "mannWhitneyU", "chiSquare" or nil when not compared (or not computable).
        public var test: String?
        /// U₁ (Mann–Whitney, of the first group) or χ².
        public var statistic: Double?
        /// The two-sided p-value; nil when not compared or not computable.
        public var pValue: Double?
        /// Why there is no p-value when one was asked for (e.g. "a group has no values").
        public var note: String?
    }

    /// The two groups' names, in column order (e.g. ["neoplastic", "non-neoplastic"]).
    public var groupNames: [String]
    /// Cases in all, in the first and in the second group.
    public var sizes: [Int]
    /// The rows, in the order of the variables.
    public var rows: [Row]

    /// Builds the table.
    ///
    /// - Parameters:
    ///   - inFirstGroup: per case, `true` for the first group (e.g. neoplastic), `false` for the second.
    ///   - groupNames: the two groups' names.
    ///   - variables: the rows; each variable has one value per case.
    ///   - format: decimals of medians and percentages.
    /// - Throws: `StatsError.lengthMismatch` when a variable's length differs from the number of cases,
    ///   `StatsError.nonFinite` for a NaN or infinite continuous value (use nil for missing).
    public static func build(inFirstGroup: [Bool], groupNames: [String], variables: [Variable],
                             format: TableFormat = TableFormat()) throws -> BaselineCharacteristics
    {
        let first = inFirstGroup.filter { $0 }.count
        var rows: [Row] = []
        for variable in variables {
            switch variable.values {
            case .continuous(let values):
                try StatsError.checkPaired(inFirstGroup.count, "groups", values.count, variable.name)
                if let index = values.firstIndex(where: { $0.map { !$0.isFinite } ?? false }) {
                    throw StatsError.nonFinite(argument: variable.name, index: index)
                }
                rows.append(try continuousRow(variable, values, inFirstGroup, format))
            case .binary(let values):
                try StatsError.checkPaired(inFirstGroup.count, "groups", values.count, variable.name)
                rows.append(try binaryRow(variable, values, inFirstGroup, format))
            }
        }
        return BaselineCharacteristics(groupNames: groupNames, sizes: [inFirstGroup.count, first, inFirstGroup.count - first],
                                       rows: rows)
    }

    /// The values of all cases, of the first group and of the second, missing ones left out.
    static func columns<T>(_ values: [T?], _ inFirstGroup: [Bool]) -> [[T]] {
        let pairs = zip(values, inFirstGroup).compactMap { value, first in value.map { ($0, first) } }
        return [pairs.map(\.0), pairs.filter { $0.1 }.map(\.0), pairs.filter { !$0.1 }.map(\.0)]
    }

    static func continuousRow(_ variable: Variable, _ values: [Double?], _ inFirstGroup: [Bool], _ format: TableFormat) throws -> Row {
        let groups = columns(values, inFirstGroup)
        let cells = try groups.map { x -> Cell in
            guard !x.isEmpty else { return Cell(n: 0, text: "–") }
            let q = try Descriptive.quantiles(x, [0.25, 0.75])
            return Cell(n: x.count, median: try Descriptive.median(x), q1: q[0], q3: q[1], text: try format.medianIQR(x))
        }
        var row = Row(name: variable.name, kind: "continuous", cells: cells)
        guard variable.compare else { return row }
        guard !groups[1].isEmpty, !groups[2].isEmpty else {
            row.note = "a group has no values"
            return row
        }
        let result = try MannWhitneyU.test(groups[1], groups[2])
        (row.test, row.statistic, row.pValue) = ("mannWhitneyU", result.statistic, result.pValue)
        return row
    }

    static func binaryRow(_ variable: Variable, _ values: [Bool?], _ inFirstGroup: [Bool], _ format: TableFormat) throws -> Row {
        let groups = columns(values, inFirstGroup)
        let cells = try groups.map { x -> Cell in
            guard !x.isEmpty else { return Cell(n: 0, text: "–") }
            let count = x.filter { $0 }.count
            return Cell(n: x.count, count: count, percent: 100 * Double(count) / Double(x.count),
                        text: try format.countPercent(count, of: x.count))
        }
        var row = Row(name: variable.name, kind: "binary", cells: cells)
        guard variable.compare else { return row }
        let table = groups.dropFirst().map { x in [x.filter { $0 }.count, x.filter { !$0 }.count] }
        do {
            let result = try ChiSquareContingency.test(table)
            (row.test, row.statistic, row.pValue) = ("chiSquare", result.statistic, result.pValue)
        } catch StatsError.invalidTable {
            // SciPy raises here too: a group without values, or nobody (everybody) with the characteristic.
            row.note = "χ² undefined (an empty row or column)"
        }
        return row
    }
}
