import Foundation
import TestSupport
@testable import Stats
@testable import Study

/// `Fixtures/study_reference.json`, written by `scripts/fixtures/study_fixtures.py` (NumPy / SciPy /
/// scikit-learn on a hand-made 16-case cohort and on fixed paired vectors). JSON null stands for NaN / none.
struct StudyReference: Decodable {
    struct PairedCase: Decodable {
        let name, test: String
        let a, b: [Double]
        let shapiroStatistic, shapiroP, statistic, pvalue: Double
    }

    struct MethodScores: Decodable {
        let method: String
        let ich, phe, background: Double
        let faithfulness: Double?
    }

    struct CohortCase: Decodable {
        let `case`, subtype, age, sex, gcs, hypertension, diabetes, onsetToImagingDays: String
        let neoplastic: Bool
        let ichVolumeML, pheVolumeML, probability: Double
        let methods: [MethodScores]
    }

    struct Cell: Decodable {
        let n: Int
        let median, q1, q3, percent: Double?
        let count: Int?
    }

    struct BaselineRow: Decodable {
        let name, kind: String
        let cells: [Cell]
        let statistic, pvalue: Double?
    }

    struct FaithfulnessRow: Decodable {
        let method: String
        let n, undefined: Int
        let mean, sd, median: Double
    }

    struct Comparison: Decodable {
        let test: String
        let statistic, pvalue, shapiroNeoplastic, shapiroNonNeoplastic: Double
    }

    struct Region: Decodable {
        let means, sds: [Double]
        let comparison: Comparison
    }

    struct Pair: Decodable {
        let n: Int
        let meanDifference, statistic, pvalue, shapiroP: Double
        let test: String
        /// ICH vs PHE as two samples (the study's test); `shapiroNeoplastic` holds the ICH values', the other the PHE's.
        let unpaired: Comparison
    }

    struct Subset: Decodable {
        let name: String
        let sizes: [Int]
        let regions: [Region]
        let pairs: [Pair]
    }

    struct Table3: Decodable {
        let medianICHVolume: Double
        let subsets: [Subset]
    }

    let paired: [PairedCase]
    let cohort: [CohortCase]
    let table1: [BaselineRow]
    let table2: [FaithfulnessRow]
    let table3: [String: Table3]
    let auc: Double

    static func load() throws -> StudyReference {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(StudyReference.self, from: Data(contentsOf: Fixture.url("study_reference.json", in: .module)))
    }

    /// The covariate columns of the fixture cohort, as cohort.csv would name them.
    static let covariateNames = ["age", "sex", "gcs", "hypertension", "diabetes", "onset_to_imaging_days"]

    /// The fixture cohort as study cases.
    var studyCases: [StudyCase] {
        cohort.map { c in
            StudyCase(caseID: c.case, neoplastic: c.neoplastic, subtype: c.subtype, centre: "A", split: "test",
                      covariates: ["age": c.age, "sex": c.sex, "gcs": c.gcs, "hypertension": c.hypertension,
                                   "diabetes": c.diabetes, "onset_to_imaging_days": c.onsetToImagingDays],
                      probability: c.probability, ichVolumeML: c.ichVolumeML, pheVolumeML: c.pheVolumeML,
                      methods: c.methods.map { .init(method: $0.method, ich: $0.ich, phe: $0.phe, background: $0.background,
                                                     faithfulness: $0.faithfulness ?? .nan) })
        }
    }
}
