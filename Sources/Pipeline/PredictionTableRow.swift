/// The columns of `predictions.csv`: one row per case, its primary lesion's classification and totals.
enum PredictionTableRow {
    static let header = [
        "case", "status", "ich_volume_ml", "phe_volume_ml", "ich_abc2_ml", "phe_to_ich_ratio", "ich_mean_hu", "phe_mean_hu",
        "lesions", "p_neoplastic", "threshold", "decision", "certainty", "seconds", "error",
    ]

    /// A row; empty fields for what is unknown.
    static func row(caseID: String, report: PredictionReport?, error: String?) -> [String] {
        guard let report else {
            return [quoted(caseID), error == nil ? "missing" : "failed"] + Array(repeating: "", count: header.count - 3)
                + [quoted(error ?? "")]
        }
        let c = report.classification
        return [
            quoted(caseID), "done", number(report.total.ich.volumeML), number(report.total.phe.volumeML),
            number(report.total.ichABCOver2?.volumeML), number(report.total.pheToICHRatio), number(report.total.ich.meanHU),
            number(report.total.phe.meanHU), "\(report.lesions.count)", number(c?.probability), number(c?.threshold),
            quoted(c?.decision ?? ""), c?.certainty.level.rawValue ?? "", number(report.timings.reduce(0) { $0 + $1.seconds }), "",
        ]
    }

    static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        return "\(value)"
    }

    /// A text field, safe for spreadsheets: a leading `=`, `+`, `-`, `@`, tab or carriage return (which a
    /// spreadsheet would run as a formula) gets a `'` in front (OWASP's CSV-injection rule), then RFC 4180
    /// quoting when the field holds a comma, quote, line feed or carriage return. Numbers are written by
    /// `number`, never through here, so negative HU stay numbers.
    static func quoted(_ text: String) -> String {
        var text = text
        if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
