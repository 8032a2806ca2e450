/// The two classes the classifier separates.
public enum EtiologyClass: String, Sendable, Codable, CaseIterable {
    case neoplastic = "neoplastic"
    case nonNeoplastic = "non-neoplastic"

    /// 001_… Table 1: 116 of 291 patients (39.9 %) had a neoplastic hemorrhage.
    public static let neoplasticFraction = 116.0 / 291.0
}

/// The etiology subtype (001_… Table 1 and its adapted H-ATOMIC categories).
public enum EtiologySubtype: String, Sendable, Codable, CaseIterable {
    case metastasis = "metastasis"
    case primaryTumour = "primary tumour"
    case hypertensive = "hypertensive"
    case amyloidAngiopathy = "CAA"
    case oralAnticoagulation = "oral anticoagulation"
    case vascularMalformation = "vascular malformation"

    /// The class this subtype belongs to.
    public var etiologyClass: EtiologyClass {
        switch self {
        case .metastasis, .primaryTumour: .neoplastic
        default: .nonNeoplastic
        }
    }

    /// The subtypes of a class with their Table 1 counts (neoplastic 79 / 37; non-neoplastic 72 / 43 / 10 / 50).
    public static func proportions(of etiologyClass: EtiologyClass) -> [(EtiologySubtype, Double)] {
        switch etiologyClass {
        case .neoplastic: [(.metastasis, 79), (.primaryTumour, 37)]
        case .nonNeoplastic: [(.hypertensive, 72), (.amyloidAngiopathy, 43), (.oralAnticoagulation, 10), (.vascularMalformation, 50)]
        }
    }

    /// Draws a subtype of `etiologyClass` in the Table 1 proportions.
    public static func draw(for etiologyClass: EtiologyClass, _ random: inout PhantomRandom) -> EtiologySubtype {
        let table = proportions(of: etiologyClass)
        return table[random.index(weights: table.map(\.1))].0
    }

    /// Where bleeds of this subtype occur: weights for lobar, deep, cerebellar, brainstem. Typical clinical
    /// distributions (hypertensive: deep; CAA: lobar only; metastases: grey–white junction and cerebellum).
    var locationWeights: [Double] {
        switch self {
        case .hypertensive: [0.22, 0.58, 0.12, 0.08]
        case .amyloidAngiopathy: [1, 0, 0, 0]
        case .oralAnticoagulation: [0.5, 0.38, 0.12, 0]
        case .vascularMalformation: [0.6, 0.2, 0.15, 0.05]
        case .metastasis: [0.72, 0.1, 0.18, 0]
        case .primaryTumour: [0.62, 0.36, 0.02, 0]
        }
    }
}

/// Where a hemorrhage sits.
public enum HemorrhageLocation: String, Sendable, Codable, CaseIterable {
    case lobar, deep, cerebellar, brainstem

    /// The largest plausible hemorrhage volume at this location, mL.
    var maximumVolumeML: Double {
        switch self {
        case .lobar: 110
        case .deep: 80
        case .cerebellar: 28
        case .brainstem: 8
        }
    }
}
