import Foundation

/// One row of `cohort.csv`: a case and what is known about it.
public struct CohortRecord: Sendable, Codable, Equatable {
    /// Case identifier, as in the nnU-Net file names (`{case}_0000.nii.gz`).
    public var caseID: String
    /// Etiology label: "neoplastic" or "non-neoplastic" (the classifier's target).
    public var label: String
    /// Etiology subtype (metastasis, primary tumour, hypertensive, CAA, oral anticoagulation, vascular malformation…).
    public var subtype: String
    /// Centre (site) the scan comes from.
    public var centre: String
    /// Split: "train", "test", "external", …
    public var split: String
    /// Further columns (clinical covariates), by column name; values as written.
    public var covariates: [String: String]

    public init(caseID: String, label: String, subtype: String, centre: String, split: String,
                covariates: [String: String] = [:]) {
        self.caseID = caseID
        self.label = label
        self.subtype = subtype
        self.centre = centre
        self.split = split
        self.covariates = covariates
    }
}

/// `cohort.csv`: columns `case,label,subtype,centre,split` then covariate columns, one row per case.
///
/// CSV as RFC 4180: comma-separated, fields with commas, quotes or line breaks in double quotes, `""` for
/// a quote inside; the first row is the header.
public struct CohortTable: Sendable, Equatable {
    /// The five fixed columns, in order.
    public static let fixedColumns = ["case", "label", "subtype", "centre", "split"]
    /// Covariate column names in file order.
    public var covariateNames: [String]
    /// The rows.
    public var records: [CohortRecord]

    public init(covariateNames: [String] = [], records: [CohortRecord] = []) {
        self.covariateNames = covariateNames
        self.records = records
    }

    /// Reads a cohort table.
    ///
    /// - Throws: `ImagingError.fileNotFound`, or `.invalidDataset` naming the file, the line and the problem
    ///   (missing fixed column, wrong field count, unterminated quote, duplicate case).
    public static func read(_ url: URL) throws -> CohortTable {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw ImagingError.fileNotFound(file: url.path) }
        return try parse(String(decoding: data, as: UTF8.self), file: url.path)
    }

    /// Parses CSV text (see `read`).
    public static func parse(_ text: String, file: String) throws -> CohortTable {
        let rows = try CSV.rows(text, file: file)
        guard let header = rows.first else { throw ImagingError.invalidDataset(file: file, detail: "empty cohort table") }
        let columns = header.map { $0.trimmingCharacters(in: .whitespaces) }
        var index: [String: Int] = [:]
        for (i, name) in columns.enumerated() { index[name] = i }
        for required in fixedColumns where index[required] == nil {
            throw ImagingError.invalidDataset(file: file, detail: "line 1: missing column \"\(required)\" (expected \(fixedColumns.joined(separator: ",")),…)")
        }
        let covariates = columns.filter { !fixedColumns.contains($0) }
        var seen = Set<String>()
        var records: [CohortRecord] = []
        for (line, row) in rows.enumerated().dropFirst() {
            if row.count == 1 && row[0].isEmpty { continue }
            guard row.count == columns.count else {
                throw ImagingError.invalidDataset(file: file, detail: "line \(line + 1): \(row.count) fields, expected \(columns.count)")
            }
            func field(_ name: String) -> String { index[name].map { row[$0] } ?? "" }
            let caseID = field("case")
            guard !caseID.isEmpty, seen.insert(caseID).inserted else {
                throw ImagingError.invalidDataset(file: file, detail: "line \(line + 1): empty or duplicate case \"\(caseID)\"")
            }
            records.append(CohortRecord(
                caseID: caseID, label: field("label"), subtype: field("subtype"), centre: field("centre"),
                split: field("split"), covariates: Dictionary(uniqueKeysWithValues: covariates.map { ($0, field($0)) })))
        }
        return CohortTable(covariateNames: covariates, records: records)
    }

    /// The CSV text (header, then one line per record; `\n` line ends).
    public var csvText: String {
        var lines = [CSV.line(Self.fixedColumns + covariateNames)]
        for r in records {
            lines.append(CSV.line([r.caseID, r.label, r.subtype, r.centre, r.split] + covariateNames.map { r.covariates[$0] ?? "" }))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the CSV.
    ///
    /// - Throws: `ImagingError.writeFailed`.
    public func write(to url: URL) throws {
        do { try Data(csvText.utf8).write(to: url, options: .atomic) } catch {
            throw ImagingError.writeFailed(file: url.path, detail: "\(error)")
        }
    }
}

/// Minimal RFC 4180 reading and writing (quoted fields, `""` escapes, CRLF or LF), shared by every CSV NeoICH reads.
public enum CSV {
    /// The rows of `text`.
    ///
    /// - Throws: `ImagingError.invalidDataset` naming `file` and the line of an unterminated quoted field.
    public static func rows(_ text: String, file: String) throws -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = ""
        var quoted = false, line = 1
        var characters = Array(text.unicodeScalars)[...]
        while let c = characters.popFirst() {
            if quoted {
                if c == "\"" {
                    if characters.first == "\"" { field.unicodeScalars.append(characters.removeFirst()) } else { quoted = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" && field.isEmpty {
                quoted = true
            } else if c == "," {
                row.append(field)
                field = ""
            } else if c == "\n" || c == "\r" {
                if c == "\r" && characters.first == "\n" { characters.removeFirst() }
                row.append(field)
                rows.append(row)
                (row, field, line) = ([], "", line + 1)
            } else {
                field.unicodeScalars.append(c)
            }
        }
        if quoted { throw ImagingError.invalidDataset(file: file, detail: "line \(line): unterminated quoted field") }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }

    /// One line with fields quoted where needed.
    public static func line(_ fields: [String]) -> String {
        fields.map { f in
            f.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
        }.joined(separator: ",")
    }
}
