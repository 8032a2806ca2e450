import Foundation

/// What the anatomy holds at one point.
struct AnatomySample {
    var tissue: Tissue
    var hu: Double
    /// 1 or −1 inside the left or right lateral ventricle (for ventricular extension of a bleed), else 0.
    var ventricleSide: Int8 = 0
}

/// A case's `HeadAnatomy` prepared for fast point queries: per 1-mm level and per angular bin, the skin radius,
/// the apparent skull thickness and the gyral field are tabulated once, so that a voxel costs a few lookups.
struct HeadModel: Sendable {
    let anatomy: HeadAnatomy
    private let bins = 1024
    private let levelMinW: Double
    private let levelCount: Int
    private var skin: [Float] = [], skull: [Float] = [], gyral: [Float] = []
    private var obliquity: [Float] = [], maxSkin: [Float] = []
    private let gyralFrequency: Double

    init(anatomy: HeadAnatomy, minW: Double, maxW: Double) {
        self.anatomy = anatomy
        levelMinW = floor(minW) - 2
        levelCount = Int(ceil(maxW) - levelMinW) + 3
        let weights = anatomy.gyralTerms.reduce(0) { $0 + $1[3] }
        gyralFrequency = anatomy.gyralTerms.reduce(0) { $0 + $1[0] * $1[3] } / weights
        let radii = (0..<bins).map { anatomy.skinRadius(theta: Self.theta(bin: $0, bins: bins)) }
        for level in 0..<levelCount {
            let w = levelMinW + Double(level)
            let scale = anatomy.outlineScale(w: w), ob = anatomy.obliquity(w: w)
            obliquity.append(Float(ob))
            var largest: Float = 0
            for b in 0..<bins {
                let theta = Self.theta(bin: b, bins: bins)
                let r = Float(radii[b] * scale)
                skin.append(r)
                largest = max(largest, r)
                // Thinner temporal squama, thicker frontal and occipital bone, thicker toward the skull base.
                let lateral = abs(cos(theta))
                let base = w < -20 ? 1 + min((-20 - w) / 30, 0.8) : 1
                skull.append(Float(anatomy.skullMM * (1.15 - 0.4 * lateral * lateral) * base * ob))
                gyral.append(Float(anatomy.gyralField(theta: theta, w: w)))
            }
            maxSkin.append(largest)
        }
    }

    static func theta(bin: Int, bins: Int) -> Double { (Double(bin) + 0.5) / Double(bins) * 2 * .pi - .pi }

    /// atan2 to about 1e-5 rad (a polynomial; the libm call would dominate the voxel cost).
    @inline(__always)
    static func fastAtan2(_ y: Double, _ x: Double) -> Double {
        let ax = abs(x), ay = abs(y)
        let big = max(ax, ay)
        if big == 0 { return 0 }
        let a = min(ax, ay) / big, s = a * a
        var r = ((-0.0464964749 * s + 0.15931422) * s - 0.327622764) * s * a + a
        if ay > ax { r = .pi / 2 - r }
        if x < 0 { r = .pi - r }
        return y < 0 ? -r : r
    }

    @inline(__always)
    private static func inside(_ u: Double, _ v: Double, _ w: Double, _ c: (Double, Double, Double),
                               _ s: (Double, Double, Double)) -> Bool {
        let a = (u - c.0) / s.0, b = (v - c.1) / s.1, d = (w - c.2) / s.2
        return a * a + b * b + d * d < 1
    }

    /// The tissue and its HU at head coordinates (u, v, w).
    @inline(__always)
    func sample(u: Double, v: Double, w: Double) -> AnatomySample {
        let t = anatomy.tissue
        let levelIndex = Int(w - levelMinW + 0.5)
        guard levelIndex >= 0 && levelIndex < levelCount else { return AnatomySample(tissue: .air, hu: -1000) }
        let rho2 = u * u + v * v
        let bound = Double(maxSkin[levelIndex])
        if rho2 >= bound * bound { return AnatomySample(tissue: .air, hu: -1000) }
        let rho = rho2.squareRoot()
        var bin = Int((Self.fastAtan2(v, u) + .pi) / (2 * .pi) * Double(bins))
        bin = min(max(bin, 0), bins - 1)
        let cell = levelIndex * bins + bin
        var depth = Double(skin[cell]) - rho
        if depth < 0 { return AnatomySample(tissue: .air, hu: -1000) }
        let ob = Double(obliquity[levelIndex])
        let scalp = anatomy.scalpMM * ob
        if depth < scalp { return AnatomySample(tissue: .scalp, hu: t.scalp) }
        depth -= scalp
        let bone = Double(skull[cell])
        if depth < bone {
            let f = depth / bone
            return f < 0.3 || f > 0.72 ? AnatomySample(tissue: .corticalBone, hu: t.corticalBone)
                : AnatomySample(tissue: .diploe, hu: t.diploe)
        }
        depth -= bone
        if w < -22, let base = skullBase(u: u, v: v, w: w) { return base }
        let au = abs(u)
        if v < 5 && w < -8 + 0.35 * v { return posteriorFossa(au: au, v: v, w: w, depth: depth) }
        let csfRim = anatomy.subarachnoidMM * ob
        if depth < csfRim { return AnatomySample(tissue: .csf, hu: t.csf) }
        return cerebrum(u: u, au: au, v: v, w: w, depth: depth - csfRim, rho: rho, gyral: Double(gyral[cell]), ob: ob)
    }

    @inline(__always)
    private func cerebrum(u: Double, au: Double, v: Double, w: Double, depth: Double, rho: Double,
                          gyral: Double, ob: Double) -> AnatomySample {
        let t = anatomy.tissue
        // Beam hardening: brain next to the skull reads a few HU higher (cupping).
        let cupping = depth < 25 ? 3 * exp(-depth / 5) : 0
        let fissure = anatomy.sulcusHalfWidthMM + 0.6
        let fissureOpen = w > 22 || abs(v - 5) > 38
        if fissureOpen && au < fissure {
            return au < 0.35 ? AnatomySample(tissue: .falx, hu: t.falx) : AnatomySample(tissue: .csf, hu: t.csf)
        }
        let cortex = anatomy.cortexMM * ob
        if depth < cortex || (fissureOpen && au < fissure + anatomy.cortexMM) {
            return AnatomySample(tissue: .greyMatter, hu: t.greyMatter + cupping)
        }
        if depth < anatomy.sulcusDepthMM + cortex {
            let distance = abs(gyral) * rho / gyralFrequency
            if distance < anatomy.sulcusHalfWidthMM && depth < anatomy.sulcusDepthMM {
                return AnatomySample(tissue: .csf, hu: t.csf)
            }
            if distance < anatomy.sulcusHalfWidthMM + anatomy.cortexMM {
                return AnatomySample(tissue: .greyMatter, hu: t.greyMatter + cupping)
            }
        }
        if au < 42 && v > -52 && v < 42 && w > -20 && w < 44 {
            if let deep = deepStructure(u: u, au: au, v: v, w: w) { return deep }
        }
        return AnatomySample(tissue: .whiteMatter, hu: t.whiteMatter + cupping)
    }

    @inline(__always)
    private func deepStructure(u: Double, au: Double, v: Double, w: Double) -> AnatomySample? {
        let t = anatomy.tissue, s = anatomy.ventricleScale
        let side: Int8 = u >= 0 ? 1 : -1
        if Self.inside(au, v, w, (8 + 2.5 * s, -4, 21), (4 * s, 29, 6.5 * s.squareRoot()))
            || Self.inside(au, v, w, (9 + s, 21, 13), (3.6 * s, 11, 8))
            || Self.inside(au, v, w, (19, -29, 11), (5.5 * s, 13, 9))
            || Self.inside(au, v, w, (29, -6, -9), (2.2 * s, 12, 3)) {
            return AnatomySample(tissue: .csf, hu: t.csf, ventricleSide: side)
        }
        if au < 1.4 * s && v > -16 && v < 11 && w > -6 && w < 13 { return AnatomySample(tissue: .csf, hu: t.csf) }
        if anatomy.pinealCalcification && Self.inside(u, v, w, (0, -24, 4), (2.5, 2.5, 2.5)) {
            return AnatomySample(tissue: .calcification, hu: t.calcification)
        }
        if anatomy.choroidCalcification && Self.inside(au, v, w, (20, -30, 12), (2, 2.2, 2)) {
            return AnatomySample(tissue: .calcification, hu: t.calcification)
        }
        if Self.inside(au, v, w, (14, 18, 11), (5, 8, 9))
            || Self.inside(au, v, w, (10, -13, 5), (8, 13, 9))
            || Self.inside(au, v, w, (23, 3, 2), (6, 15, 9)) {
            return AnatomySample(tissue: .deepGrey, hu: t.deepGrey)
        }
        return nil
    }

    /// Sphenoid with its sinus, clivus and petrous ridges.
    @inline(__always)
    private func skullBase(u: Double, v: Double, w: Double) -> AnatomySample? {
        let t = anatomy.tissue
        if Self.inside(u, v, w, (0, 24, -44), (11, 10, 10)) { return AnatomySample(tissue: .air, hu: -1000) }
        if Self.inside(u, v, w, (0, 24, -44), (15, 13, 12)) || Self.inside(u, v, w, (0, 2, -52), (7, 7, 16)) {
            return AnatomySample(tissue: .corticalBone, hu: t.corticalBone)
        }
        if w > -66 && w < -28 {
            // Petrous ridge: a bony bar from (16, −4) to (46, −28) in (|u|, v), 4 mm half-width.
            let au = abs(u), ex = 30.0, ey = -24.0
            let s = min(max(((au - 16) * ex + (v + 4) * ey) / (ex * ex + ey * ey), 0), 1)
            let dx = au - 16 - s * ex, dy = v + 4 - s * ey
            if dx * dx + dy * dy < 16 { return AnatomySample(tissue: .corticalBone, hu: t.corticalBone) }
        }
        return nil
    }

    /// Cerebellum, vermis, brainstem and fourth ventricle below the tentorium.
    @inline(__always)
    private func posteriorFossa(au: Double, v: Double, w: Double, depth: Double) -> AnatomySample {
        let t = anatomy.tissue
        if depth < anatomy.subarachnoidMM * 0.7 { return AnatomySample(tissue: .csf, hu: t.csf) }
        if Self.inside(au, v, w, (0, -31, -33), (4.5, 3.5, 8)) { return AnatomySample(tissue: .csf, hu: t.csf) }
        let stemV = -14 + 0.15 * (w + 30)
        let a = au / 13, b = (v - stemV) / 11
        if a * a + b * b < 1 { return AnatomySample(tissue: .whiteMatter, hu: t.whiteMatter + 2) }
        if Self.inside(au, v, w, (21, -44, -38), (10, 11, 9)) { return AnatomySample(tissue: .whiteMatter, hu: t.whiteMatter) }
        // Cerebellar cortex fills the rest of the fossa; cisterns only in front of the brainstem.
        if v > stemV + 8 && au < 22 { return AnatomySample(tissue: .csf, hu: t.csf) }
        return AnatomySample(tissue: .greyMatter, hu: t.greyMatter - 1)
    }
}
