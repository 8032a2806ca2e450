import Plots
import Stats

/// "Table 3" of the explainability study (000_… §2.6, Table 3): mean normalised importance in ICH, PHE and
/// background, overall and by class, for the whole cohort and for the subgroups of small and large
/// hemorrhages split at the median ICH volume.
///
/// Class comparisons use `GroupComparison` (Shapiro–Wilk per class, then the two-sided t-test or
/// Mann–Whitney U). ICH versus PHE is compared as 000_… §2.6 does, with the same unpaired `GroupComparison`
/// (Shapiro–Wilk on the ICH and on the PHE values, then the t-test or Mann–Whitney U; the primary column), and
/// beside it as the paired data they are (`PairedComparison`: Shapiro–Wilk on the differences, then the
/// paired t-test or Wilcoxon). A case is *small* when its ICH volume is ≤ the
/// median (`np.median` of all cases with a volume) and *large* otherwise. A NaN importance (a region
/// without voxels) leaves that case out of that region's statistics and out of the ICH–PHE pairs.
public struct RegionImportanceTable: Sendable, Codable, Equatable {
    /// One case's input.
    public struct Observation: Sendable, Equatable {
        /// True for a neoplastic case.
        public var neoplastic: Bool
        /// ICH volume; nil when unknown (the case then belongs to no volume subgroup).
        public var ichVolumeML: Double?
        /// Mean normalised importance in the ICH.
        public var ich: Double
        /// In the PHE.
        public var phe: Double
        /// In the background.
        public var background: Double

        /// One case's region importance.
        public init(neoplastic: Bool, ichVolumeML: Double?, ich: Double, phe: Double, background: Double) {
            self.neoplastic = neoplastic
            self.ichVolumeML = ichVolumeML
            self.ich = ich
            self.phe = phe
            self.background = background
        }
    }

    /// Mean ± SD of one region in one column.
    public struct Summary: Sendable, Codable, Equatable {
        public var n: Int
        public var mean: Double?
        /// Sample SD (ddof 1); nil when n < 2.
        public var standardDeviation: Double?
    }

    /// The class comparison of one region (a Codable view of `GroupComparison`).
    public struct ClassComparison: Sendable, Codable, Equatable {
        /// "studentT" or "mannWhitneyU".
        public var test: String
        /// t, or U of the neoplastic group.
        public var statistic: Double
        public var pValue: Double
        /// Shapiro–Wilk p of the neoplastic group.
        public var normalityPValueNeoplastic: Double
        /// Shapiro–Wilk p of the non-neoplastic group.
        public var normalityPValueNonNeoplastic: Double
    }

    /// One region's row: all cases, neoplastic, non-neoplastic, and the class comparison.
    public struct RegionRow: Sendable, Codable, Equatable {
        /// "ICH", "PHE" or "BG".
        public var region: String
        /// All, neoplastic, non-neoplastic.
        public var summaries: [Summary]
        /// nil when a class has fewer than 3 values (see `note`).
        public var comparison: ClassComparison?
        public var note: String?
    }

    /// ICH against PHE importance as two samples (000_… §2.6), a Codable view of `GroupComparison`.
    public struct RegionComparison: Sendable, Codable, Equatable {
        /// "studentT" or "mannWhitneyU".
        public var test: String
        /// t, or U of the ICH values.
        public var statistic: Double
        public var pValue: Double
        /// Shapiro–Wilk p of the ICH values.
        public var normalityPValueICH: Double
        /// Shapiro–Wilk p of the PHE values.
        public var normalityPValuePHE: Double
    }

    /// ICH versus PHE importance within the same cases.
    public struct PairedRow: Sendable, Codable, Equatable {
        /// "all", "neoplastic" or "non-neoplastic".
        public var cases: String
        /// Pairs with both values.
        public var n: Int
        /// Mean of ICH − PHE; nil without pairs.
        public var meanDifference: Double?
        /// The study's test (primary): unpaired, Shapiro–Wilk → t-test or Mann–Whitney U; nil with fewer than 3 pairs.
        public var unpaired: RegionComparison?
        /// The paired test beside it; nil with fewer than 3 pairs.
        public var comparison: PairedComparison?
    }

    /// The whole cohort or one volume subgroup.
    public struct Subset: Sendable, Codable, Equatable {
        /// "all", "small" or "large".
        public var name: String
        /// Human-readable definition, e.g. "ICH volume ≤ 6.92 mL".
        public var definition: String
        /// Cases: all, neoplastic, non-neoplastic.
        public var sizes: [Int]
        /// ICH, PHE, BG.
        public var regions: [RegionRow]
        /// ICH vs PHE: all, neoplastic, non-neoplastic.
        public var ichVersusPHE: [PairedRow]
    }

    /// Median ICH volume (mL) of the cases with a volume; nil when none has one.
    public var medianICHVolumeML: Double?
    /// All cases, then (with volumes) small and large.
    public var subsets: [Subset]

    /// Builds the table.
    ///
    /// - Parameters:
    ///   - observations: one per case.
    ///   - groupComparison: the normality threshold and Mann–Whitney options of the class comparisons.
    ///   - pairedComparison: the same for ICH versus PHE.
    /// - Throws: `StatsError.nonFinite` for an infinite importance or volume.
    public static func build(_ observations: [Observation],
                             groupComparison: GroupComparison.Configuration = .init(),
                             pairedComparison: PairedComparison.Configuration = .init()) throws -> RegionImportanceTable
    {
        for (i, o) in observations.enumerated() {
            if [o.ich, o.phe, o.background, o.ichVolumeML ?? 0].contains(where: { $0.isInfinite }) {
                throw StatsError.nonFinite(argument: "observations", index: i)
            }
        }
        var subsets = [try subset("all", "all cases", observations, groupComparison, pairedComparison)]
        let volumes = observations.compactMap { $0.ichVolumeML }.filter { !$0.isNaN }
        var median: Double?
        if !volumes.isEmpty {
            let m = try Descriptive.median(volumes)
            median = m
            let label = TableFormat().number(m, 2)
            let small = observations.filter { ($0.ichVolumeML.map { $0 <= m }) ?? false }
            let large = observations.filter { ($0.ichVolumeML.map { $0 > m }) ?? false }
            subsets.append(try subset("small", "ICH volume ≤ \(label) mL", small, groupComparison, pairedComparison))
            subsets.append(try subset("large", "ICH volume > \(label) mL", large, groupComparison, pairedComparison))
        }
        return RegionImportanceTable(medianICHVolumeML: median, subsets: subsets)
    }

    static func subset(_ name: String, _ definition: String, _ cases: [Observation],
                       _ group: GroupComparison.Configuration, _ paired: PairedComparison.Configuration) throws -> Subset
    {
        let neoplastic = cases.filter(\.neoplastic), other = cases.filter { !$0.neoplastic }
        let regions: [(String, (Observation) -> Double)] = [("ICH", \.ich), ("PHE", \.phe), ("BG", \.background)]
        var rows: [RegionRow] = []
        for (region, value) in regions {
            let columns = [cases, neoplastic, other].map { $0.map(value).filter { !$0.isNaN } }
            var row = RegionRow(region: region, summaries: try columns.map(summary))
            if columns[1].count >= 3 && columns[2].count >= 3 {
                let c = try GroupComparison.compare(columns[1], columns[2], configuration: group)
                row.comparison = ClassComparison(test: c.test.rawValue, statistic: c.statistic, pValue: c.pValue,
                                                 normalityPValueNeoplastic: c.normalityA.pValue,
                                                 normalityPValueNonNeoplastic: c.normalityB.pValue)
            } else {
                row.note = "fewer than 3 cases in a class"
            }
            rows.append(row)
        }
        var pairs: [PairedRow] = []
        let unpairedConfiguration = group
        for (label, group) in [("all", cases), ("neoplastic", neoplastic), ("non-neoplastic", other)] {
            let complete = group.filter { !$0.ich.isNaN && !$0.phe.isNaN }
            let ich = complete.map(\.ich), phe = complete.map(\.phe)
            var row = PairedRow(cases: label, n: complete.count)
            if !complete.isEmpty { row.meanDifference = try Descriptive.mean(zip(ich, phe).map { $0 - $1 }) }
            if complete.count >= 3 {
                let c = try GroupComparison.compare(ich, phe, configuration: unpairedConfiguration)
                row.unpaired = RegionComparison(test: c.test.rawValue, statistic: c.statistic, pValue: c.pValue,
                                                normalityPValueICH: c.normalityA.pValue, normalityPValuePHE: c.normalityB.pValue)
                row.comparison = try PairedComparison.compare(ich, phe, configuration: paired)
            }
            pairs.append(row)
        }
        return Subset(name: name, definition: definition, sizes: [cases.count, neoplastic.count, other.count],
                      regions: rows, ichVersusPHE: pairs)
    }

    static func summary(_ x: [Double]) throws -> Summary {
        guard !x.isEmpty else { return Summary(n: 0) }
        return Summary(n: x.count, mean: try Descriptive.mean(x),
                       standardDeviation: x.count > 1 ? try Descriptive.standardDeviation(x, ddof: 1) : nil)
    }
}
