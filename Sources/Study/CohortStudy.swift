import Plots
import Stats

/// The statistics of an explained cohort, as the explainability study (000_…) reports them: Table 1
/// (baseline characteristics by class), Table 2 (faithfulness per attribution method), Table 3 (region
/// importance overall, by class and by ICH-volume subgroup, for the most faithful method) and the
/// classifier's ROC with DeLong's AUC interval and the sensitivity × specificity operating point (001_…).
///
/// `CohortStudy.analyze` is pure; `CohortStudy+Files` writes the tables, figures and report.
public struct CohortStudy: Sendable {
    /// Options of the analysis.
    public struct Configuration: Sendable, Equatable {
        /// The method whose region importance makes Table 3 and the violin plot; nil = the most faithful
        /// (the study's choice, GradCAM++ there), or `fallbackMethod` / the first method when no case has
        /// a faithfulness score.
        public var primaryMethod: String?
        /// The primary method when no case has a faithfulness score and none is requested (the caller passes
        /// the study's, GradCAM++); nil takes the first method.
        public var fallbackMethod: String?
        /// Names of the positive and negative class, in column order.
        public var groupNames: [String]
        /// Decimals of Table 1 and Table 2; 2 (001_… Table 1).
        public var format: TableFormat
        /// The study's normality threshold for every Shapiro–Wilk decision; 0.05.
        public var normalityAlpha: Double

        /// A configuration; the defaults are documented on each property.
        public init(primaryMethod: String? = nil, fallbackMethod: String? = nil, groupNames: [String] = ["neoplastic", "non-neoplastic"],
                    format: TableFormat = TableFormat(), normalityAlpha: Double = 0.05) {
            self.primaryMethod = primaryMethod
            self.fallbackMethod = fallbackMethod
            self.groupNames = groupNames
            self.format = format
            self.normalityAlpha = normalityAlpha
        }
    }

    /// The classifier's discrimination over the cases with a probability.
    public struct Discrimination: Sendable, Codable, Equatable {
        public var n: Int
        public var auc: Double
        /// DeLong 95 % interval.
        public var aucLower: Double
        public var aucUpper: Double
        /// The threshold maximising sensitivity × specificity (001_…).
        public var threshold: Double
        public var accuracy: Double
        public var sensitivity: Double
        public var specificity: Double
    }

    /// The cases analysed.
    public let cases: [StudyCase]
    public let configuration: Configuration
    /// Table 1.
    public let baseline: BaselineCharacteristics
    /// cohort.csv columns Table 1 does not summarise, with the reason.
    public let skippedColumns: [String]
    /// Table 2.
    public let faithfulness: FaithfulnessTable
    /// The method of Table 3; nil when no case was explained.
    public let primaryMethod: String?
    /// Table 3 for every method, in method order.
    public let regionImportance: [(method: String, table: RegionImportanceTable)]
    /// nil when fewer than 2 cases of a class have a probability.
    public let discrimination: Discrimination?
    /// The ROC curve behind `discrimination`.
    public let roc: ROCCurve?
    /// Things a reader should know (cases without explanation, …).
    public let notes: [String]

    /// Table 3 of the primary method.
    public var primaryRegionImportance: RegionImportanceTable? {
        regionImportance.first { $0.method == primaryMethod }?.table
    }

    /// Analyses a cohort.
    ///
    /// - Parameters:
    ///   - cases: the study cases (at least one).
    ///   - covariateNames: cohort.csv's covariate columns in file order (Table 1 rows).
    ///   - configuration: primary method, group names, decimals, normality threshold.
    ///   - notes: remarks of whoever assembled the cases (where volumes came from, …), kept in the report.
    /// - Throws: `StatsError.empty` without cases, `StatsError.outOfDomain` for a primary method no case
    ///   has, `StatsError` from the tests for non-finite inputs.
    public static func analyze(_ cases: [StudyCase], covariateNames: [String],
                               configuration: Configuration = Configuration(), notes: [String] = []) throws -> CohortStudy
    {
        guard !cases.isEmpty else { throw StatsError.empty(argument: "cases") }
        var notes = notes
        let (variables, skipped) = BaselineVariables.make(cases, covariateNames: covariateNames)
        let baseline = try BaselineCharacteristics.build(inFirstGroup: cases.map(\.neoplastic), groupNames: configuration.groupNames,
                                                         variables: variables, format: configuration.format)
        var methods: [String] = []
        for c in cases { for m in c.methods where !methods.contains(m.method) { methods.append(m.method) } }
        let explained = cases.filter { !$0.methods.isEmpty }
        if explained.count < cases.count { notes.append("\(cases.count - explained.count) of \(cases.count) cases have no explanation") }

        let faithfulness = try FaithfulnessTable.build(methods.map { method in
            (method, explained.compactMap { $0.methods.first { $0.method == method }?.faithfulness })
        }, format: configuration.format)

        let primary: String?
        if let requested = configuration.primaryMethod {
            guard methods.contains(requested) else {
                throw StatsError.outOfDomain(argument: "primaryMethod", value: .nan,
                                             expected: "one of the explained methods (\(methods.joined(separator: ", "))), not \(requested)")
            }
            primary = requested
        } else {
            let fallback = configuration.fallbackMethod.flatMap { methods.contains($0) ? $0 : nil }
            primary = faithfulness.mostFaithful ?? fallback ?? methods.first
        }
        let group = GroupComparison.Configuration(normalityAlpha: configuration.normalityAlpha)
        let paired = PairedComparison.Configuration(normalityAlpha: configuration.normalityAlpha)
        var regionImportance: [(method: String, table: RegionImportanceTable)] = []
        for method in methods {
            let observations = explained.compactMap { c in
                c.methods.first { $0.method == method }.map {
                    RegionImportanceTable.Observation(neoplastic: c.neoplastic, ichVolumeML: c.ichVolumeML,
                                                      ich: $0.ich, phe: $0.phe, background: $0.background)
                }
            }
            regionImportance.append((method, try RegionImportanceTable.build(observations, groupComparison: group, pairedComparison: paired)))
        }
        if cases.allSatisfy({ $0.ichVolumeML == nil }) { notes.append("no ICH volumes: no small/large subgroups in Table 3") }

        let scored = cases.filter { $0.probability != nil }
        var discrimination: Discrimination?
        var roc: ROCCurve?
        let labels = scored.map(\.neoplastic), scores = scored.compactMap(\.probability)
        if labels.filter({ $0 }).count >= 2 && labels.filter({ !$0 }).count >= 2 {
            let delong = try DeLongAUC(labels: labels, scores: scores)
            let point = try OperatingPoint.optimal(labels: labels, scores: scores)
            roc = try ROCCurve(labels: labels, scores: scores)
            discrimination = Discrimination(n: scored.count, auc: delong.auc, aucLower: delong.lower, aucUpper: delong.upper,
                                            threshold: point.threshold, accuracy: point.confusion.accuracy,
                                            sensitivity: point.confusion.sensitivity, specificity: point.confusion.specificity)
        } else {
            notes.append("no ROC: fewer than 2 cases of a class have a probability")
        }
        return CohortStudy(cases: cases, configuration: configuration, baseline: baseline, skippedColumns: skipped,
                           faithfulness: faithfulness, primaryMethod: primary, regionImportance: regionImportance,
                           discrimination: discrimination, roc: roc, notes: notes)
    }

    /// A few lines for the console: cohort size, faithfulness per method, Table 3's overall means, AUC.
    public var summaryText: String {
        let f = configuration.format
        var lines = ["\(cases.count) cases (\(cases.filter(\.neoplastic).count) \(configuration.groupNames[0]))"]
        for row in faithfulness.rows { lines.append("faithfulness \(row.method): \(row.text) (n = \(row.n))") }
        if let method = primaryMethod, let all = primaryRegionImportance?.subsets.first {
            let means = all.regions.map { "\($0.region) \($0.summaries[0].mean.map { f.number($0, 3) } ?? "–")" }
            lines.append("importance (\(method)): " + means.joined(separator: ", "))
        }
        if let d = discrimination {
            lines.append("AUC \(f.number(d.auc, 3)) (95 % CI \(f.number(d.aucLower, 3))–\(f.number(d.aucUpper, 3)), n = \(d.n))")
        }
        return (lines + notes.map { "note: \($0)" }).joined(separator: "\n")
    }
}
