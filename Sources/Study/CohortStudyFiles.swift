import Explain
import Foundation
import Imaging
import Plots
import Stats

/// A case's `explanation.json` as `CohortStudyLoader` reads it (see there for the accepted keys).
struct ExplanationFile {
    var methods: [StudyCase.MethodScores]
    /// P(neoplastic) = `probabilities[1]` of a two-class output.
    var probability: Double?
    var ichVolumeML: Double?
    var pheVolumeML: Double?
    /// The faithfulness set and label; files of the earlier protocol have no set and scored the lesion.
    var faithfulnessSet: String?
    var faithfulnessLabel: String?

    /// Lenient mirror of `CaseExplanation.Summary`: only what the study needs, everything else ignored.
    private struct Summary: Decodable {
        struct Region: Decodable { var ich: Double?; var phe: Double?; var background: Double? }
        struct Method: Decodable { var method: String; var regionImportance: Region; var faithfulness: Double? }
        var probabilities: [Double]?
        var methods: [Method]?
        var ichVolumeML: Double?
        var pheVolumeML: Double?
        var faithfulnessSet: String?
        var faithfulnessLabel: String?
    }

    private struct Wrapped: Decodable {
        var explanation: Summary?
        var ichVolumeML: Double?
        var pheVolumeML: Double?
    }

    /// Reads and validates one file.
    ///
    /// - Throws: `CohortStudyError.malformed` naming the file and the JSON path at fault.
    static func read(_ url: URL) throws -> ExplanationFile {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let summary: Summary
        var outer: Wrapped?
        do {
            let data = try Data(contentsOf: url)
            outer = try decoder.decode(Wrapped.self, from: data)
            summary = try outer?.explanation ?? decoder.decode(Summary.self, from: data)
        } catch let error as DecodingError {
            throw CohortStudyError.malformed(file: url.path, detail: Self.describe(error))
        } catch {
            throw CohortStudyError.malformed(file: url.path, detail: error.localizedDescription)
        }
        guard let methods = summary.methods, !methods.isEmpty else {
            throw CohortStudyError.malformed(file: url.path, detail: "no \"methods\" (expected the output of `neoich explain`)")
        }
        var scores: [StudyCase.MethodScores] = []
        for m in methods {
            let name = AttributionMethodName(parsing: m.method)?.rawValue ?? m.method
            let r = m.regionImportance
            for (key, value) in [("ich", r.ich), ("phe", r.phe), ("background", r.background)] where value?.isInfinite ?? false {
                throw CohortStudyError.malformed(file: url.path, detail: "\(m.method): regionImportance.\(key) is infinite")
            }
            guard !scores.contains(where: { $0.method == name }) else {
                throw CohortStudyError.malformed(file: url.path, detail: "method \(m.method) appears twice")
            }
            scores.append(.init(method: name, ich: r.ich ?? .nan, phe: r.phe ?? .nan, background: r.background ?? .nan,
                                faithfulness: m.faithfulness))
        }
        let order = AttributionMethodName.allCases.map(\.rawValue)
        scores.sort { (order.firstIndex(of: $0.method) ?? order.count) < (order.firstIndex(of: $1.method) ?? order.count) }
        var probability: Double?
        if let p = summary.probabilities {
            guard p.count == 2, p.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 1 }) else {
                throw CohortStudyError.malformed(file: url.path, detail: "probabilities \(p); expected [P(non-neoplastic), P(neoplastic)]")
            }
            probability = p[1]
        }
        let scored = methods.contains { $0.faithfulness != nil }
        return ExplanationFile(methods: scores, probability: probability,
                               ichVolumeML: summary.ichVolumeML ?? outer?.ichVolumeML, pheVolumeML: summary.pheVolumeML ?? outer?.pheVolumeML,
                               faithfulnessSet: summary.faithfulnessSet ?? (scored ? FaithfulnessSet.lesion.rawValue : nil),
                               faithfulnessLabel: summary.faithfulnessLabel)
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return "at \(path(c).isEmpty ? "top level" : path(c)): \(c.debugDescription)"
        case .keyNotFound(let key, let c): return "missing key \"\(key.stringValue)\" at \(path(c).isEmpty ? "top level" : path(c))"
        case .dataCorrupted(let c): return "not valid JSON (\(c.underlyingError.map { "\($0)" } ?? c.debugDescription))"
        @unknown default: return "\(error)"
        }
    }
}

/// `predictions.csv` (`neoich predict --cohort`, or `evaluate-cls`' predictions): rows by case, columns by
/// lower-cased name.
struct PredictionCSV {
    struct Row {
        let url: URL
        let caseID: String
        let fields: [String: String]

        /// The first of `names` that has a non-empty value, as a number.
        func number(_ names: [String]) throws -> Double? {
            for name in names {
                guard let text = fields[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { continue }
                guard let value = Double(text), value.isFinite else {
                    throw CohortStudyError.malformed(file: url.path, detail: "case \(caseID): \(name) \"\(text)\" is not a number")
                }
                return value
            }
            return nil
        }
    }

    let url: URL
    let rows: [String: Row]

    static func read(_ url: URL) throws -> PredictionCSV {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CohortStudyError.missing(path: url.path, expected: "a readable predictions.csv")
        }
        let lines: [[String]]
        do {
            lines = try CSV.rows(String(decoding: data, as: UTF8.self), file: url.path)
        } catch is ImagingError {
            throw CohortStudyError.malformed(file: url.path, detail: "unterminated quoted field")
        }
        guard let header = lines.first?.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) else {
            throw CohortStudyError.malformed(file: url.path, detail: "empty file")
        }
        guard let caseColumn = header.firstIndex(where: { ["case", "case_id", "caseid", "id"].contains($0) }) else {
            throw CohortStudyError.malformed(file: url.path, detail: "line 1: no \"case\" column (header \(header.joined(separator: ",")))")
        }
        var rows: [String: Row] = [:]
        for (index, fields) in lines.enumerated().dropFirst() where !(fields.count == 1 && fields[0].isEmpty) {
            guard fields.count == header.count else {
                throw CohortStudyError.malformed(file: url.path, detail: "line \(index + 1): \(fields.count) fields, expected \(header.count)")
            }
            let caseID = fields[caseColumn]
            guard rows[caseID] == nil else { throw CohortStudyError.malformed(file: url.path, detail: "line \(index + 1): case \(caseID) twice") }
            rows[caseID] = Row(url: url, caseID: caseID, fields: Dictionary(zip(header, fields), uniquingKeysWith: { a, _ in a }))
        }
        return PredictionCSV(url: url, rows: rows)
    }
}

/// ICH and PHE volumes from a `neoich predict` report.json: `total.ich.volumeML` and `total.phe.volumeML`.
enum ReportVolumes {
    /// nil when the file does not exist or does not hold the keys.
    ///
    /// - Throws: `CohortStudyError.malformed` when it exists but is not JSON.
    static func read(_ url: URL) throws -> (Double, Double?)? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw CohortStudyError.malformed(file: url.path, detail: "not valid JSON")
        }
        let total = (object as? [String: Any])?["total"] as? [String: Any]
        func volume(_ region: String) -> Double? { ((total?[region] as? [String: Any])?["volumeML"] as? NSNumber)?.doubleValue }
        return volume("ich").map { ($0, volume("phe")) }
    }
}
