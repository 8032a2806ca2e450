/// The clinical covariates of a case, drawn per class from 001_… Table 1.
public struct ClinicalCovariates: Sendable, Codable, Equatable {
    public var ageYears: Int
    public var female: Bool
    /// Glasgow Coma Scale, 3…15.
    public var gcs: Int
    public var hypertension: Bool
    public var diabetes: Bool
    public var oralAnticoagulation: Bool
    public var antiplatelet: Bool
    /// Days from symptom onset to imaging.
    public var onsetToImagingDays: Double
    /// Days from imaging to discharge.
    public var imagingToDischargeDays: Double

    /// The cohort.csv column names, in order.
    public static let columnNames = [
        "age", "sex", "gcs", "hypertension", "diabetes", "oral_anticoagulation", "antiplatelet",
        "onset_to_imaging_days", "imaging_to_discharge_days",
    ]

    /// The values for `columnNames`.
    public var columns: [String: String] {
        func yesNo(_ b: Bool) -> String { b ? "1" : "0" }
        return [
            "age": "\(ageYears)", "sex": female ? "F" : "M", "gcs": "\(gcs)",
            "hypertension": yesNo(hypertension), "diabetes": yesNo(diabetes),
            "oral_anticoagulation": yesNo(oralAnticoagulation), "antiplatelet": yesNo(antiplatelet),
            "onset_to_imaging_days": String(format3: onsetToImagingDays),
            "imaging_to_discharge_days": String(format3: imagingToDischargeDays),
        ]
    }

    /// Draws the covariates of a patient of `subtype`.
    ///
    /// Medians and IQRs are Table 1's; the tails (minimum, maximum) are chosen by hand. Subtypes force what
    /// defines them: every hypertensive bleed has hypertension, every oral-anticoagulation bleed oAC; the
    /// remaining non-neoplastic patients get hypertension with the probability that brings the class to 61.1 %.
    public static func draw(subtype: EtiologySubtype, _ random: inout PhantomRandom) -> ClinicalCovariates {
        let neoplastic = subtype.etiologyClass == .neoplastic
        let age = neoplastic
            ? QuantileDistribution(minimum: 22, q1: 51, median: 63, q3: 77, maximum: 94)
            : QuantileDistribution(minimum: 20, q1: 51, median: 66, q3: 77, maximum: 97)
        let onset = neoplastic
            ? QuantileDistribution(minimum: 0.02, q1: 0.21, median: 1.0, q3: 7.07, maximum: 30, logarithmic: true)
            : QuantileDistribution(minimum: 0.02, q1: 0.09, median: 0.32, q3: 1.14, maximum: 14, logarithmic: true)
        let discharge = neoplastic
            ? QuantileDistribution(minimum: 1, q1: 5.05, median: 8.6, q3: 18.1, maximum: 60, logarithmic: true)
            : QuantileDistribution(minimum: 1, q1: 4.19, median: 7.52, q3: 14.51, maximum: 60, logarithmic: true)
        // GCS: neoplastic median 15 (IQR 15–15), non-neoplastic 15 (13–15).
        let gcsWeights: [Double] = neoplastic ? [0.06, 0.06, 0.08, 0.80] : [0.18, 0.12, 0.12, 0.58]
        let gcsBand = random.index(weights: gcsWeights)
        let gcs = [Int(random.uniform(3, 13)), 13, 14, 15][gcsBand]
        let hypertension: Bool
        switch subtype {
        case .hypertensive: hypertension = true
        case .metastasis, .primaryTumour: hypertension = random.bernoulli(0.336)
        default: hypertension = random.bernoulli((0.611 - 0.411) / (1 - 0.411))
        }
        let oac: Bool
        switch subtype {
        case .oralAnticoagulation: oac = true
        case .metastasis, .primaryTumour: oac = random.bernoulli(0.043)
        default: oac = false
        }
        return ClinicalCovariates(
            ageYears: Int(age.sample(&random).rounded()),
            female: random.bernoulli(neoplastic ? 0.552 : 0.531),
            gcs: gcs,
            hypertension: hypertension,
            diabetes: random.bernoulli(neoplastic ? 0.060 : 0.057),
            oralAnticoagulation: oac,
            antiplatelet: random.bernoulli(neoplastic ? 0.112 : 0.189),
            onsetToImagingDays: onset.sample(&random),
            imagingToDischargeDays: discharge.sample(&random))
    }
}

extension String {
    /// A number with three decimals, locale-independent.
    init(format3 value: Double) {
        let scaled = (value * 1000).rounded()
        let sign = scaled < 0 ? "-" : ""
        let magnitude = Int(abs(scaled))
        let fraction = magnitude % 1000
        self = "\(sign)\(magnitude / 1000)." + String(repeating: "0", count: fraction < 10 ? 2 : (fraction < 100 ? 1 : 0)) + "\(fraction)"
    }
}
