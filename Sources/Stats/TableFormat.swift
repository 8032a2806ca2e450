import Foundation

/// Formats the cells of a "Table 1" (cohort characteristics): "median [Q1; Q3]", "mean ± SD", "n (%)".
///
/// Numbers are printed with a fixed number of decimals, a point as decimal separator whatever the locale,
/// and without a minus sign on values that round to zero ("0.00", not "-0.00").
public struct TableFormat: Sendable, Equatable {
    /// Decimals of medians, quartiles, means and SDs; 2 as in 001_… Table 1 ("6.29 [1.92; 19.56]").
    public var decimals: Int
    /// Decimals of percentages; 1 ("116 (39.9%)").
    public var percentDecimals: Int

    /// A format with the given numbers of decimals.
    public init(decimals: Int = 2, percentDecimals: Int = 1) {
        self.decimals = decimals
        self.percentDecimals = percentDecimals
    }

    /// "median [Q1; Q3]" with type-7 quartiles, e.g. "6.29 [1.92; 19.56]".
    ///
    /// - Throws: `StatsError.empty`, `StatsError.nonFinite`.
    public func medianIQR(_ x: [Double]) throws -> String {
        let q = try Descriptive.quantiles(x, [0.25, 0.75])
        let median = try Descriptive.median(x)
        return "\(number(median, decimals)) [\(number(q[0], decimals)); \(number(q[1], decimals))]"
    }

    /// "mean ± SD" with the sample SD (ddof 1), e.g. "0.49 ± 0.15"; a single value gives "x ± NaN".
    ///
    /// - Throws: `StatsError.empty`, `StatsError.nonFinite`.
    public func meanSD(_ x: [Double]) throws -> String {
        let mean = try Descriptive.mean(x)
        let sd = try Descriptive.standardDeviation(x, ddof: 1)
        return "\(number(mean, decimals)) ± \(number(sd, decimals))"
    }

    /// "n (%)", e.g. `countPercent(116, of: 291)` = "116 (39.9%)".
    ///
    /// - Throws: `StatsError.outOfDomain` when `total` ≤ 0 or `count` is outside 0…total.
    public func countPercent(_ count: Int, of total: Int) throws -> String {
        guard total > 0 else {
            throw StatsError.outOfDomain(argument: "total", value: Double(total), expected: "> 0")
        }
        guard count >= 0, count <= total else {
            throw StatsError.outOfDomain(argument: "count", value: Double(count), expected: "in 0…\(total)")
        }
        return "\(count) (\(number(100 * Double(count) / Double(total), percentDecimals))%)"
    }

    /// A number with `decimals` decimals, "NaN" for NaN.
    package func number(_ value: Double, _ decimals: Int) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "∞" : "−∞" }
        let text = String(format: "%.\(max(0, decimals))f", value)
        if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) {
            return String(text.dropFirst())
        }
        return text
    }
}
