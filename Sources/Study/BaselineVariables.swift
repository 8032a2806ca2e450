import Plots
import Stats

/// Turns cohort.csv columns into the rows of a Table 1 (`BaselineCharacteristics`).
///
/// Known clinical columns (NeoICH's synthetic cohort writes them; 001_… Table 1 reports them) get the
/// paper's labels and order: age, sex (as "Female"), GCS, hypertension, diabetes, oral anticoagulation,
/// antiplatelet, onset-to-imaging and imaging-to-discharge days; common spellings are accepted
/// (`anticoagulation`, `oac`, `antiplatelets`, …). Any other column is summarised when its values are all
/// binary (0/1, yes/no, true/false) or all numeric; other columns (free text, categories) and bookkeeping
/// columns (`seed`) are skipped and named in `skipped`. ICH and PHE volumes follow, then one descriptive
/// row per subtype (n (%), no test, as 001_… Table 1).
public enum BaselineVariables {
    /// A known column: its accepted spellings (lower case), its row label and kind.
    struct Known {
        let names: [String]
        let label: String
        let binary: Bool
    }

    static let known: [Known] = [
        Known(names: ["age", "age_years"], label: "Age [years]", binary: false),
        Known(names: ["sex", "female", "gender"], label: "Female", binary: true),
        Known(names: ["gcs", "glasgow_coma_scale"], label: "GCS", binary: false),
        Known(names: ["hypertension", "arterial_hypertension"], label: "Hypertension", binary: true),
        Known(names: ["diabetes", "diabetes_mellitus"], label: "Diabetes", binary: true),
        Known(names: ["oral_anticoagulation", "anticoagulation", "oac"], label: "Oral anticoagulation", binary: true),
        Known(names: ["antiplatelet", "antiplatelets", "antiplatelet_therapy"], label: "Antiplatelet", binary: true),
        Known(names: ["onset_to_imaging_days"], label: "Δ symptom onset to imaging [days]", binary: false),
        Known(names: ["imaging_to_discharge_days"], label: "Δ imaging to discharge [days]", binary: false),
        Known(names: ["lesions"], label: "Lesions", binary: false),
    ]

    /// Columns that are never clinical characteristics (or are reported elsewhere).
    static let ignored: Set<String> = [
        "seed", "scan_offset_hu", "scan_cupping_hu", "ich_volume_ml", "phe_volume_ml", "probability", "p_neoplastic", "probability_neoplastic",
    ]

    /// Table 1's variables for `cases`.
    ///
    /// - Parameters:
    ///   - cases: the study cases (their order is the table's).
    ///   - covariateNames: cohort.csv's covariate columns in file order.
    /// - Returns: the variables, and the columns that were skipped with the reason.
    public static func make(_ cases: [StudyCase], covariateNames: [String])
        -> (variables: [BaselineCharacteristics.Variable], skipped: [String])
    {
        var variables: [BaselineCharacteristics.Variable] = []
        var skipped: [String] = []
        var used = Set<String>()
        for k in known {
            guard let column = covariateNames.first(where: { k.names.contains($0.lowercased()) }) else { continue }
            used.insert(column)
            let raw = cases.map { $0.covariates[column] ?? "" }
            if k.binary, let values = binaryValues(raw, sex: k.label == "Female") {
                variables.append(.init(name: k.label, values: .binary(values)))
            } else if !k.binary, let values = numericValues(raw) {
                variables.append(.init(name: k.label, values: .continuous(values)))
            } else {
                skipped.append("\(column) (values are not \(k.binary ? "binary" : "numeric"))")
            }
        }
        for column in covariateNames where !used.contains(column) {
            let key = column.lowercased()
            if ignored.contains(key) { continue }
            let raw = cases.map { $0.covariates[column] ?? "" }
            if let values = binaryValues(raw, sex: false) {
                variables.append(.init(name: column, values: .binary(values)))
            } else if let values = numericValues(raw) {
                variables.append(.init(name: column, values: .continuous(values)))
            } else {
                skipped.append("\(column) (categorical or text)")
            }
        }
        if cases.contains(where: { $0.ichVolumeML != nil }) {
            variables.append(.init(name: "ICH volume [mL]", values: .continuous(cases.map { $0.ichVolumeML })))
        }
        if cases.contains(where: { $0.pheVolumeML != nil }) {
            variables.append(.init(name: "PHE volume [mL]", values: .continuous(cases.map { $0.pheVolumeML })))
        }
        var subtypes: [String] = []
        for c in cases where !c.subtype.isEmpty && !subtypes.contains(c.subtype) { subtypes.append(c.subtype) }
        // Neoplastic subtypes last, as in 001_… Table 1.
        subtypes.sort { a, b in
            let na = cases.contains { $0.subtype == a && $0.neoplastic }, nb = cases.contains { $0.subtype == b && $0.neoplastic }
            return na != nb ? !na : false
        }
        for subtype in subtypes {
            variables.append(.init(name: "Subtype: \(subtype)", values: .binary(cases.map { $0.subtype == subtype }), compare: false))
        }
        return (variables, skipped)
    }

    /// True for a missing value: empty, "NA", "NaN", "N/A", "-", "?", "null", "none".
    static func isMissing(_ text: String) -> Bool {
        ["", "na", "nan", "n/a", "-", "?", "null", "none"].contains(text.trimmingCharacters(in: .whitespaces).lowercased())
    }

    /// The values as numbers, or nil when a non-missing value is not a finite number.
    static func numericValues(_ raw: [String]) -> [Double?]? {
        var values: [Double?] = []
        for text in raw {
            if isMissing(text) { values.append(nil); continue }
            guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else { return nil }
            values.append(value)
        }
        return values.contains { $0 != nil } ? values : nil
    }

    /// The values as booleans (1/0, yes/no, true/false, y/n; with `sex`, F/female/w as true and M/male as
    /// false), or nil when a non-missing value is none of these.
    static func binaryValues(_ raw: [String], sex: Bool) -> [Bool?]? {
        let yes: Set<String> = sex ? ["f", "female", "w", "woman", "1", "true", "yes"] : ["1", "yes", "y", "true", "t"]
        let no: Set<String> = sex ? ["m", "male", "man", "0", "false", "no"] : ["0", "no", "n", "false", "f"]
        var values: [Bool?] = []
        for text in raw {
            let key = text.trimmingCharacters(in: .whitespaces).lowercased()
            if isMissing(key) { values.append(nil) } else if yes.contains(key) { values.append(true) } else if no.contains(key) {
                values.append(false)
            } else { return nil }
        }
        return values.contains { $0 != nil } ? values : nil
    }
}
