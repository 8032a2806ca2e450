import ArgumentParser
import Explain
import Foundation
import Stats
import Study

/// `neoich analyze`: the study tables, figures and report of an explained cohort (000_… Tables 1–3).
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Study statistics of an explained cohort: Table 1, faithfulness per method, region importance, figures, HTML report.",
        discussion: """
            COHORT holds cohort.csv (case,label,subtype,centre,split,covariates…) and, per case, \
            <case>/explanation.json from `neoich explain` (or explanations/<case>/explanation.json, \
            explanations/<case>.json); optionally predictions.csv and <case>/report.json from \
            `neoich predict --cohort`, and labelsTr/<case>.nii.gz for volumes. Writes into --output: \
            table1_baseline.csv, table2_faithfulness.csv, table3_region_importance.csv, table3_ich_vs_phe.csv, \
            cases.csv, study.json, figures/*.svg and report.html.
            """
    )

    @Argument(help: "Cohort folder (or its cohort.csv).")
    var cohort: String

    @Option(help: "Output folder (default: COHORT/analysis).")
    var output: String?

    @Option(help: "predictions.csv of `neoich predict --cohort`, or its output folder (default: COHORT/predictions.csv if present).")
    var predictions: String?

    @Option(help: "Folder of per-case explanations (<case>/explanation.json or <case>.json).")
    var explanations: String?

    @Option(help: "Only cases of this split (cohort.csv's split column), e.g. test.")
    var split: String?

    @Option(help: "Method of Table 3 and the violin plot (default: the most faithful).")
    var method: String?

    @Flag(name: .customLong("no-label-volumes"), help: "Do not read labelsTr label maps for missing volumes.")
    var noLabelVolumes = false

    func run() throws {
        let primary = try method.map { text -> String in
            guard let name = AttributionMethodName(parsing: text) else {
                throw ValidationError("unknown method \(text) (known: \(AttributionMethodName.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return name.rawValue
        }
        let cohortURL = URL(fileURLWithPath: cohort)
        let loaded = try CohortStudyLoader(cohort: cohortURL, predictions: predictions.map { URL(fileURLWithPath: $0) },
                                           explanations: explanations.map { URL(fileURLWithPath: $0) }, split: split,
                                           labelMapVolumes: !noLabelVolumes).load()
        guard !loaded.cases.isEmpty else { throw DataError("\(cohort): no cases") }
        let study = try CohortStudy.analyze(loaded.cases, covariateNames: loaded.covariateNames,
                                            configuration: .init(primaryMethod: primary, fallbackMethod: AttributionMethodName.studyPrimary.rawValue),
                                            notes: loaded.notes)
        let folder = output.map { URL(fileURLWithPath: $0) }
            ?? (cohortURL.pathExtension == "csv" ? cohortURL.deletingLastPathComponent() : cohortURL).appendingPathComponent("analysis")
        let files = try study.write(to: folder)
        print(study.summaryText)
        print("written \(folder.appendingPathComponent(files.report).path)")
    }
}
