import Foundation
import Output
import Plots
import Stats

/// A study output that could not be written.
public struct StudyWriteError: Error, CustomStringConvertible, Equatable {
    /// The file or folder.
    public var file: String
    /// What went wrong.
    public var detail: String
    public var description: String { "\(file): could not write (\(detail))" }
}

/// The study's files: tables as CSV, everything as JSON, figures as SVG, one self-contained HTML report.
extension CohortStudy {
    /// What `write(to:)` produced, relative to the output folder.
    public struct Files: Sendable, Equatable {
        public var tables: [String]
        public var json: String
        public var figures: [String]
        public var report: String
    }

    /// The JSON document (`study.json`).
    struct Document: Encodable {
        struct MethodTable: Encodable {
            var method: String
            var table: RegionImportanceTable
        }
        var cases: Int
        var groupNames: [String]
        var primaryMethod: String?
        var table1Baseline: BaselineCharacteristics
        var skippedColumns: [String]
        var table2Faithfulness: FaithfulnessTable
        var table3RegionImportance: [MethodTable]
        var discrimination: Discrimination?
        var notes: [String]
    }

    /// Writes `table1_baseline.csv`, `table2_faithfulness.csv`, `table3_region_importance.csv`,
    /// `table3_ich_vs_phe.csv`, `cases.csv`, `study.json`, `figures/*.svg` and `report.html` into `directory`.
    ///
    /// - Parameter directory: created if missing; existing files of the same names are replaced.
    /// - Returns: the relative paths written.
    /// - Throws: `StudyWriteError` naming the file, `StatsError` from the figures.
    @discardableResult
    public func write(to directory: URL) throws -> Files {
        let figures = try figures()
        let tables: [(String, String)] = [
            ("table1_baseline.csv", baselineCSV), ("table2_faithfulness.csv", faithfulnessCSV),
            ("table3_region_importance.csv", regionImportanceCSV), ("table3_ich_vs_phe.csv", ichVersusPHECSV),
            ("cases.csv", casesCSV),
        ]
        try create(directory)
        try create(directory.appendingPathComponent("figures"))
        for (name, text) in tables { try save(text, directory.appendingPathComponent(name)) }
        for figure in figures { try save(figure.svg, directory.appendingPathComponent("figures/\(figure.name).svg")) }
        try save(jsonText(), directory.appendingPathComponent("study.json"))
        try save(html(figures: figures), directory.appendingPathComponent("report.html"))
        return Files(tables: tables.map(\.0), json: "study.json", figures: figures.map { "figures/\($0.name).svg" }, report: "report.html")
    }

    /// `study.json`: pretty-printed, sorted keys; NaN written as the string "NaN".
    public func jsonText() throws -> String {
        let document = Document(cases: cases.count, groupNames: configuration.groupNames, primaryMethod: primaryMethod,
                                table1Baseline: baseline, skippedColumns: skippedColumns, table2Faithfulness: faithfulness,
                                table3RegionImportance: regionImportance.map { Document.MethodTable(method: $0.method, table: $0.table) },
                                discrimination: discrimination, notes: notes)
        do { return String(decoding: try JSONFile.data(document, nonFinite: .pythonStrings), as: UTF8.self) + "\n" } catch {
            throw StudyWriteError(file: "study.json", detail: "\(error)")
        }
    }

    // MARK: - CSV

    /// Table 1: one row per characteristic; p-values at full precision.
    public var baselineCSV: String {
        let g = configuration.groupNames
        var lines = [Self.csvLine(["characteristic", "kind", "all (n=\(baseline.sizes[0]))", "\(g[0]) (n=\(baseline.sizes[1]))",
                                   "\(g[1]) (n=\(baseline.sizes[2]))", "test", "statistic", "p_value", "n_all", "n_\(g[0])", "n_\(g[1])", "note"])]
        for row in baseline.rows {
            lines.append(Self.csvLine([row.name, row.kind] + row.cells.map(\.text)
                + [row.test ?? "", Self.csvNumber(row.statistic), Self.csvNumber(row.pValue)]
                + row.cells.map { "\($0.n)" } + [row.note ?? ""]))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Table 2: one row per method, with the faithfulness set(s) of its cases.
    public var faithfulnessCSV: String {
        var lines = [Self.csvLine(["method", "n", "undefined", "mean", "sd", "median", "mean_sd", "faithfulness_set", "sampled_cases"])]
        for row in faithfulness.rows {
            lines.append(Self.csvLine([row.method, "\(row.n)", "\(row.undefined)", Self.csvNumber(row.mean),
                                       Self.csvNumber(row.standardDeviation), Self.csvNumber(row.median), row.text,
                                       faithfulnessSets.joined(separator: "+"), "\(sampledFaithfulnessCases)"]))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Table 3, class comparisons: one row per method, subset and region (primary method first).
    public var regionImportanceCSV: String {
        let g = configuration.groupNames
        var header = ["method", "primary", "subset", "definition", "region"]
        for column in ["all"] + g { header += ["n_\(column)", "mean_\(column)", "sd_\(column)"] }
        header += ["test", "statistic", "p_value", "shapiro_p_\(g[0])", "shapiro_p_\(g[1])", "note"]
        var lines = [Self.csvLine(header)]
        for (method, table) in orderedRegionTables {
            for subset in table.subsets {
                for row in subset.regions {
                    var fields = [method, method == primaryMethod ? "1" : "0", subset.name, subset.definition, row.region]
                    for s in row.summaries { fields += ["\(s.n)", Self.csvNumber(s.mean), Self.csvNumber(s.standardDeviation)] }
                    let c = row.comparison
                    fields += [c?.test ?? "", Self.csvNumber(c?.statistic), Self.csvNumber(c?.pValue),
                               Self.csvNumber(c?.normalityPValueNeoplastic), Self.csvNumber(c?.normalityPValueNonNeoplastic), row.note ?? ""]
                    lines.append(Self.csvLine(fields))
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Table 3, ICH versus PHE: one row per method, subset and class; the study's unpaired test (000_… §2.6) first,
    /// the paired test beside it.
    public var ichVersusPHECSV: String {
        var lines = [Self.csvLine(["method", "primary", "subset", "cases", "n", "mean_difference_ich_minus_phe",
                                   "shapiro_p_ich", "shapiro_p_phe", "test", "statistic", "p_value",
                                   "shapiro_p_differences", "paired_test", "paired_statistic", "paired_p_value"])]
        for (method, table) in orderedRegionTables {
            for subset in table.subsets {
                for row in subset.ichVersusPHE {
                    let u = row.unpaired, c = row.comparison
                    lines.append(Self.csvLine([method, method == primaryMethod ? "1" : "0", subset.name, row.cases, "\(row.n)",
                                               Self.csvNumber(row.meanDifference), Self.csvNumber(u?.normalityPValueICH),
                                               Self.csvNumber(u?.normalityPValuePHE), u?.test ?? "", Self.csvNumber(u?.statistic),
                                               Self.csvNumber(u?.pValue), Self.csvNumber(c?.normalityPValue),
                                               c?.test.rawValue ?? "", Self.csvNumber(c?.statistic), Self.csvNumber(c?.pValue)]))
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The per-case numbers the tables were computed from.
    public var casesCSV: String {
        let methods = regionImportance.map(\.method)
        var header = ["case", "label", "subtype", "centre", "split", "probability", "ich_volume_ml", "phe_volume_ml",
                      "faithfulness_set", "faithfulness_voxels"]
        for m in methods { header += ["\(m)_ich", "\(m)_phe", "\(m)_bg", "\(m)_faithfulness"] }
        var lines = [Self.csvLine(header)]
        for c in cases {
            var fields = [c.caseID, c.neoplastic ? configuration.groupNames[0] : configuration.groupNames[1], c.subtype, c.centre, c.split,
                          Self.csvNumber(c.probability), Self.csvNumber(c.ichVolumeML), Self.csvNumber(c.pheVolumeML),
                          c.faithfulnessSet ?? "", c.faithfulnessLabel ?? ""]
            for m in methods {
                let s = c.methods.first { $0.method == m }
                fields += [Self.csvNumber(s?.ich), Self.csvNumber(s?.phe), Self.csvNumber(s?.background), Self.csvNumber(s?.faithfulness)]
            }
            lines.append(Self.csvLine(fields))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The faithfulness sets of the scored cases ("crop", "lesion"), in that order.
    var faithfulnessSets: [String] {
        let sets = Set(cases.compactMap(\.faithfulnessSet))
        return ["crop", "lesion"].filter(sets.contains) + sets.subtracting(["crop", "lesion"]).sorted()
    }

    /// Cases whose faithfulness is an estimate from sampled lesion voxels.
    var sampledFaithfulnessCases: Int {
        cases.filter { $0.faithfulnessLabel?.hasPrefix("estimate") ?? false }.count
    }

    /// The region tables with the primary method first.
    var orderedRegionTables: [(method: String, table: RegionImportanceTable)] {
        regionImportance.filter { $0.method == primaryMethod } + regionImportance.filter { $0.method != primaryMethod }
    }

    /// A number at full precision (shortest round-trip form); empty for nil, "NaN" for NaN.
    static func csvNumber(_ value: Double?) -> String {
        guard let value else { return "" }
        return value.isNaN ? "NaN" : "\(value)"
    }

    /// One RFC 4180 line.
    static func csvLine(_ fields: [String]) -> String {
        fields.map { f in
            f.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
        }.joined(separator: ",")
    }

    // MARK: - Writing

    func create(_ directory: URL) throws {
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw StudyWriteError(file: directory.path, detail: error.localizedDescription)
        }
    }

    func save(_ text: String, _ url: URL) throws {
        do { try Data(text.utf8).write(to: url, options: .atomic) } catch {
            throw StudyWriteError(file: url.path, detail: error.localizedDescription)
        }
    }
}
