import Foundation

/// One case's head: shape, pose, layer thicknesses, tissue densities and the deep structures, in head
/// coordinates (mm; u to the patient's left, v anterior, w superior, origin near the centre of the brain).
///
/// Axial cross-sections of the skin are ellipses with a few angular harmonics, shrinking toward the vertex as
/// an ellipsoid and slightly toward the skull base. Scalp, skull (outer table, diploë, inner table),
/// subarachnoid CSF and cortex follow the skin inward; their apparent in-plane thickness grows where the
/// surface is oblique to the axial plane (the thick skull ring of vertex slices).
public struct HeadAnatomy: Sendable, Codable, Equatable {
    /// Skin semi-axes at the widest level: lateral, antero-posterior, and vertical (mm).
    public var semiAxesMM: [Double]
    /// Height of the widest level, mm.
    public var equatorWMM: Double
    /// Angular harmonics of the skin outline: (order, cosine, sine) relative amplitudes.
    public var harmonics: [[Double]]
    public var scalpMM: Double
    public var skullMM: Double
    public var subarachnoidMM: Double
    public var cortexMM: Double
    public var sulcusHalfWidthMM: Double
    public var sulcusDepthMM: Double
    /// Gyral pattern: (angular frequency, phase, vertical wavenumber rad/mm, weight) per term.
    public var gyralTerms: [[Double]]
    /// Lateral ventricle scale (1 = young adult; grows with age).
    public var ventricleScale: Double
    public var pinealCalcification: Bool
    public var choroidCalcification: Bool
    public var tissue: TissueHU
    /// Pose: translation of the head centre in scanner coordinates (mm) and yaw, pitch, roll (radians).
    public var offsetMM: [Double]
    public var yawPitchRoll: [Double]
    /// Height of the lowest slice's centre in head coordinates, mm.
    public var bottomWMM: Double

    /// Draws one adult head; atrophy (CSF spaces, ventricles) grows with `ageYears`.
    public static func draw(ageYears: Int, _ random: inout PhantomRandom) -> HeadAnatomy {
        let ageFactor = min(max((Double(ageYears) - 30) / 60, 0), 1)
        let harmonics = (2...5).map { order in
            [Double(order), random.normal(mean: 0, sd: 0.025 / Double(order - 1)), random.normal(mean: 0, sd: 0.02 / Double(order - 1))]
        }
        let gyral = (0..<4).map { i in
            [[13, 17, 9, 23][i] + Double(Int(random.uniform(-2, 3))), random.uniform(0, 2 * .pi),
             random.uniform(-0.06, 0.06), [1, 0.7, 0.5, 0.35][i]]
        }
        return HeadAnatomy(
            semiAxesMM: [random.uniform(68, 78), random.uniform(86, 97), random.uniform(100, 110)],
            equatorWMM: random.uniform(-8, 0),
            harmonics: harmonics,
            scalpMM: random.uniform(3.5, 6), skullMM: random.uniform(5.5, 7.5),
            subarachnoidMM: 0.8 + 2.2 * ageFactor + random.uniform(0, 0.6),
            cortexMM: random.uniform(2.6, 3.4),
            sulcusHalfWidthMM: 0.35 + 1.0 * ageFactor + random.uniform(0, 0.3),
            sulcusDepthMM: random.uniform(10, 15),
            gyralTerms: gyral,
            ventricleScale: 0.85 + 0.65 * ageFactor + random.uniform(-0.1, 0.15),
            pinealCalcification: random.bernoulli(0.3 + 0.4 * ageFactor),
            choroidCalcification: random.bernoulli(0.2 + 0.5 * ageFactor),
            tissue: TissueHU.draw(&random),
            offsetMM: [random.normal(mean: 0, sd: 4), random.normal(mean: 0, sd: 5), random.normal(mean: 0, sd: 2)],
            yawPitchRoll: [random.normal(mean: 0, sd: 0.05), random.normal(mean: 0, sd: 0.07), random.normal(mean: 0, sd: 0.04)],
            bottomWMM: random.uniform(-50, -44))
    }

    /// Skin outline scale at height w (1 at the widest level).
    func outlineScale(w: Double) -> Double {
        let c = semiAxesMM[2]
        if w >= equatorWMM {
            let t = (w - equatorWMM) / c
            return t >= 1 ? 0 : (1 - t * t).squareRoot()
        }
        let t = (equatorWMM - w) / 60
        return max(0.55, 1 - 0.14 * t * t)
    }

    /// How much thicker an inward layer looks in the axial plane at height w: 1/cos of the surface slope.
    func obliquity(w: Double) -> Double {
        let h = 1.0
        let s0 = outlineScale(w: w - h), s1 = outlineScale(w: w + h)
        let slope = abs(s1 - s0) / (2 * h) * semiAxesMM[0]
        return min((1 + slope * slope).squareRoot(), 5)
    }

    /// The skin radius in direction θ (from the +u axis toward +v) at outline scale 1, mm.
    func skinRadius(theta: Double) -> Double {
        let a = semiAxesMM[0], b = semiAxesMM[1]
        let c = cos(theta), s = sin(theta)
        var r = a * b / ((b * c) * (b * c) + (a * s) * (a * s)).squareRoot()
        var f = 1.0
        for h in harmonics { f += h[1] * cos(h[0] * theta) + h[2] * sin(h[0] * theta) }
        r *= f
        return r
    }

    /// The gyral field in (−1, 1); sulci run along its zero crossings.
    func gyralField(theta: Double, w: Double) -> Double {
        var g = 0.0, total = 0.0
        for t in gyralTerms {
            g += t[3] * sin(t[0] * theta + t[1] + t[2] * w * t[0])
            total += t[3]
        }
        return g / total
    }

    /// The ellipsoid-normalised depth of a point inside the brain (0 at the centre, 1 at the brain surface),
    /// used to place lesions.
    func brainRadius(u: Double, v: Double, w: Double) -> Double {
        let inset = scalpMM + skullMM + subarachnoidMM
        let a = semiAxesMM[0] - inset, b = semiAxesMM[1] - inset, c = semiAxesMM[2] - inset
        let dw = w - equatorWMM
        return ((u / a) * (u / a) + (v / b) * (v / b) + (dw / c) * (dw / c)).squareRoot()
    }
}
