/// The tissue classes the phantom renders (the optional tissue map of a case stores these raw values).
public enum Tissue: UInt8, Sendable, Codable, CaseIterable {
    case air = 0, scalp, corticalBone, diploe, csf, greyMatter, whiteMatter, deepGrey, calcification, falx
    case hemorrhage, edema, tumour

    /// The literature range of this tissue's HU on a calibrated scanner (what a case may draw).
    public var rangeHU: ClosedRange<Double> {
        switch self {
        case .air: -1000 ... -1000
        case .scalp: 20...60
        case .corticalBone: 700...1800
        case .diploe: 250...800
        case .csf: 0...10
        case .greyMatter: 35...40
        case .whiteMatter: 25...30
        case .deepGrey: 32...40
        case .calcification: 100...400
        case .falx: 40...70
        case .hemorrhage: 40...90
        case .edema: 5...35
        case .tumour: 30...50
        }
    }
}

/// The HU of each normal tissue in one case, drawn within `Tissue.rangeHU`.
public struct TissueHU: Sendable, Codable, Equatable {
    public var scalp, corticalBone, diploe, csf, greyMatter, whiteMatter, deepGrey, calcification, falx: Double

    /// Draws one case's values (grey–white contrast kept ≥ 6 HU, as on a modern scanner).
    public static func draw(_ random: inout PhantomRandom) -> TissueHU {
        let grey = random.uniform(35.5, 39.5)
        let white = min(random.uniform(25.5, 29.5), grey - 6)
        return TissueHU(
            scalp: random.uniform(25, 50), corticalBone: random.uniform(1100, 1700), diploe: random.uniform(350, 650),
            csf: random.uniform(2, 8), greyMatter: grey, whiteMatter: max(white, 25), deepGrey: random.uniform(33, 38),
            calcification: random.uniform(150, 350), falx: random.uniform(45, 65))
    }
}
