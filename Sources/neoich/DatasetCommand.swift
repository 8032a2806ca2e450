import ArgumentParser
import Foundation
import Imaging

/// `neoich dataset`: derive datasets from datasets (subsets by links, new splits) without touching images.
struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Derive nnU-Net datasets from others: linked subsets and new splits in cohort.csv.",
        subcommands: [DatasetSubsetCommand.self, DatasetResplitCommand.self, DatasetListCommand.self]
    )

    /// The cohort.csv a dataset argument names: the file itself, or the dataset folder's.
    static func cohortTable(_ argument: String) -> URL {
        let url = URL(fileURLWithPath: argument)
        return url.pathExtension == "csv" ? url : url.appendingPathComponent("cohort.csv")
    }
}

/// `neoich dataset subset`: some cases of a dataset as a dataset of links.
struct DatasetSubsetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subset",
        abstract: "Write a dataset of some cases of another: cohort.csv rows in the source's order, links to its images and labels, dataset.json with numTraining set.",
        discussion: """
            Criteria combine: --split first, then --per-label quotas, then --first. Running it again with the same \
            selection writes nothing (files made next to the subset, e.g. plans.json, stay valid); another \
            selection replaces the links and tables.
            """
    )

    @Argument(help: "Source dataset folder (dataset.json, imagesTr, labelsTr, cohort.csv).") var source: String
    @Argument(help: "Subset folder to write (DatasetNNN_Name).") var target: String

    @Option(help: "Take the first N cases (after the other criteria).") var first: Int?

    @Option(help: ArgumentHelp("At most N cases of each label, e.g. neoplastic=144,non-neoplastic=205; other labels are left out.",
                               valueName: "label=N,…"))
    var perLabel: String?

    @Option(help: "Only cases of this split.") var split: String?

    func validate() throws {
        if let first, first < 1 { throw ValidationError("--first must be ≥ 1") }
        _ = try quotas()
    }

    func quotas() throws -> [String: Int]? {
        try perLabel.map { text in
            var result: [String: Int] = [:]
            for part in text.split(separator: ",") {
                let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
                guard pair.count == 2, !pair[0].isEmpty, let n = Int(pair[1]), n >= 0 else {
                    throw ValidationError("--per-label: \"\(part)\" is not label=N")
                }
                result[pair[0]] = n
            }
            return result
        }
    }

    func run() throws {
        let selection = DatasetSubset.Selection(split: split, perLabel: try quotas(), first: first)
        let subset = try DatasetSubset.write(from: URL(fileURLWithPath: source), to: URL(fileURLWithPath: target), selection: selection)
        print(subset.unchanged ? "\(target): already these \(subset.cases.count) cases" : "wrote \(target): \(subset.cases.count) cases linked from \(source)")
    }
}

/// `neoich dataset resplit`: rewrites the split column of cohort.csv.
struct DatasetResplitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resplit",
        abstract: "Rewrite the split of cohort.csv: rename one split (--from test --to val) or put every case in one (--to test)."
    )

    @Argument(help: "Dataset folder (its cohort.csv is rewritten) or a cohort.csv.") var dataset: String

    @Option(help: "Only cases of this split (default: every case).") var from: String?

    @Option(help: "The new split.") var to: String

    func validate() throws {
        if to.isEmpty || to.contains(",") { throw ValidationError("--to must be a non-empty split name without commas") }
    }

    func run() throws {
        let url = DatasetCommand.cohortTable(dataset)
        let table = try CohortTable.read(url)
        let changed = table.records.filter { from == nil || $0.split == from }.count
        try table.resplit(from: from, to: to).write(to: url)
        print("\(url.path): \(changed) of \(table.records.count) cases now split \(to)")
    }
}

/// `neoich dataset list`: the case IDs of cohort.csv, one a line, for scripts.
struct DatasetListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Print the case IDs of a dataset's cohort.csv, one a line, in its order."
    )

    @Argument(help: "Dataset folder or a cohort.csv.") var dataset: String
    @Option(help: "Only cases of this split.") var split: String?
    @Option(help: "Only cases of this label.") var label: String?
    @Option(help: "Only the first N cases (after the other criteria).") var first: Int?

    func validate() throws {
        if let first, first < 1 { throw ValidationError("--first must be ≥ 1") }
    }

    func run() throws {
        let url = DatasetCommand.cohortTable(dataset)
        let records = try CohortTable.read(url).records.filter { (split == nil || $0.split == split) && (label == nil || $0.label == label) }
        for record in records.prefix(first ?? Int.max) { print(record.caseID) }
    }
}
