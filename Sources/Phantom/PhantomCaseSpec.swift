import Foundation

/// Everything random about one synthetic case, drawn from its seed alone: class, subtype, covariates,
/// anatomy, hemorrhages. Rendering a spec is deterministic.
public struct PhantomCaseSpec: Sendable, Codable, Equatable {
    public var caseID: String
    public var index: Int
    public var seed: UInt64
    public var etiologyClass: EtiologyClass
    public var subtype: EtiologySubtype
    public var covariates: ClinicalCovariates
    public var anatomy: HeadAnatomy
    public var hemorrhages: [HemorrhageSpec]
    /// "train" or "test" (90 / 10 as in 001_…) for the development centre, "external" otherwise.
    public var split: String
    /// Table position of the lowest slice (affine z translation), mm.
    public var tableZMM: Double
    /// This scan's draws of the centre's scan-to-scan variation.
    public var scan: ScanConditions

    // Stream tags: each part of a case draws from its own stream.
    static let clinicalStream: UInt64 = 1, anatomyStream: UInt64 = 2, lesionStream: UInt64 = 3
    static let splitStream: UInt64 = 4, noiseStream: UInt64 = 5, scanStream: UInt64 = 6

    /// Draws case `index` of the cohort with `cohortSeed` at `profile`'s centre.
    public static func draw(cohortSeed: UInt64, index: Int, profile: ScannerProfile,
                            developmentCentre: String = "A") -> PhantomCaseSpec {
        let seed = PhantomRandom.caseSeed(cohortSeed: cohortSeed, index: index, centre: profile.centre)
        var clinical = PhantomRandom.stream(seed, clinicalStream)
        let etiologyClass: EtiologyClass = clinical.bernoulli(EtiologyClass.neoplasticFraction) ? .neoplastic : .nonNeoplastic
        let subtype = EtiologySubtype.draw(for: etiologyClass, &clinical)
        let covariates = ClinicalCovariates.draw(subtype: subtype, &clinical)
        var anatomyRandom = PhantomRandom.stream(seed, anatomyStream)
        let anatomy = HeadAnatomy.draw(ageYears: covariates.ageYears, &anatomyRandom)
        var lesionRandom = PhantomRandom.stream(seed, lesionStream)
        let hemorrhages = drawHemorrhages(subtype: subtype, anatomy: anatomy, &lesionRandom)
        var splitRandom = PhantomRandom.stream(seed, splitStream)
        let split = profile.centre == developmentCentre ? (splitRandom.bernoulli(0.1) ? "test" : "train") : "external"
        var scanRandom = PhantomRandom.stream(seed, scanStream)
        let scan = ScanConditions(
            calibrationOffsetHU: profile.offsetHU + scanRandom.normal(mean: 0, sd: profile.offsetDriftSDHU),
            cuppingHU: profile.cuppingHU * scanRandom.uniform(0.5, 1.5))
        return PhantomCaseSpec(
            caseID: "synth\(profile.centre)_\(String(repeating: "0", count: max(0, 4 - "\(index)".count)))\(index)",
            index: index, seed: seed, etiologyClass: etiologyClass, subtype: subtype, covariates: covariates,
            anatomy: anatomy, hemorrhages: hemorrhages, split: split, tableZMM: splitRandom.uniform(-90, -50), scan: scan)
    }

    // MARK: - Hemorrhages

    /// The main bleed (volumes from the class's `EtiologySignals`), maybe a second one.
    static func drawHemorrhages(subtype: EtiologySubtype, anatomy: HeadAnatomy,
                                _ random: inout PhantomRandom) -> [HemorrhageSpec] {
        let signals = EtiologySignals.of(subtype.etiologyClass)
        let logICH = random.normal(mean: 0, sd: signals.ichLogSD)
        let ichML = min(max(signals.ichMedianML * exp(logICH), 0.25), 120)
        let pheML = min(max(signals.pheMedianML * exp(signals.pheLogSlope * logICH
            + random.normal(mean: 0, sd: signals.pheLogResidualSD)), 0.3), 250)
        let multiple = random.bernoulli(signals.multipleLesionProbability
            * (subtype == .amyloidAngiopathy ? 1.6 : 1)) && ichML > 0.8
        let share = multiple ? random.uniform(0.15, 0.35) : 0
        // Locations whose largest plausible bleed holds the volume; the subtype's weights among them.
        let weights = zip(HemorrhageLocation.allCases, subtype.locationWeights).map { location, weight in
            location.maximumVolumeML >= ichML * (1 - share) ? weight : 0
        }
        let location = weights.reduce(0, +) > 0
            ? HemorrhageLocation.allCases[random.index(weights: weights)] : .lobar
        var lesions = [drawLesion(location: location, ichML: ichML * (1 - share), pheML: pheML * (1 - share),
                                  subtype: subtype, signals: signals, anatomy: anatomy, &random)]
        if multiple {
            lesions.append(drawLesion(location: .lobar, ichML: ichML * share, pheML: pheML * share, subtype: subtype,
                                      signals: signals, anatomy: anatomy, avoiding: lesions[0], &random))
        }
        return lesions
    }

    static func bumps(count: Int, amplitude: ClosedRange<Double>, sharpness: ClosedRange<Double>,
                      _ random: inout PhantomRandom) -> [RadialBump] {
        (0..<count).map { _ in
            let d = random.direction()
            return RadialBump(direction: [d.0, d.1, d.2], amplitude: random.uniform(amplitude.lowerBound, amplitude.upperBound),
                              sharpness: random.uniform(sharpness.lowerBound, sharpness.upperBound))
        }
    }

    static func waves(count: Int, wavelengthMM: ClosedRange<Double>, _ random: inout PhantomRandom) -> [TextureWave] {
        (0..<count).map { _ in
            let d = random.direction()
            let k = 2 * Double.pi / random.uniform(wavelengthMM.lowerBound, wavelengthMM.upperBound)
            return TextureWave(k: [d.0 * k, d.1 * k, d.2 * k], phase: random.uniform(0, 2 * .pi))
        }
    }

    static func drawLesion(location: HemorrhageLocation, ichML: Double, pheML: Double, subtype: EtiologySubtype,
                           signals: EtiologySignals, anatomy: HeadAnatomy, avoiding other: HemorrhageSpec? = nil,
                           _ random: inout PhantomRandom) -> HemorrhageSpec {
        let neoplastic = subtype.etiologyClass == .neoplastic
        let e1 = exp(random.normal(mean: 0, sd: 0.18)), e2 = exp(random.normal(mean: 0, sd: 0.15))
        let elongation = [e1, e2, 1 / (e1 * e2)]
        let finger = random.uniform(signals.fingerAmplitude.lowerBound, signals.fingerAmplitude.upperBound)
        let fingerCount = neoplastic ? 7 : 5
        var lesion = HemorrhageSpec(
            location: location, centre: [0, 0, 0], elongation: elongation, radiusMM: 1,
            clotBumps: bumps(count: 7, amplitude: -0.3...0.45, sharpness: 3...8, &random),
            rimMM: 1,
            fingerBumps: bumps(count: fingerCount, amplitude: (finger * 0.5)...(finger * 1.5), sharpness: 6...14, &random),
            greyMatterFactor: signals.greyMatterEdemaFactor,
            targetICHML: ichML, targetPHEML: pheML,
            meanHU: random.normal(mean: signals.ichMeanHU, sd: signals.ichMeanHUSD, within: 45...82),
            textureHU: signals.textureMedianHU * exp(random.normal(mean: 0, sd: 0.35)),
            tumourFraction: random.uniform(signals.tumourFraction.lowerBound, signals.tumourFraction.upperBound),
            tumourHU: random.uniform(36, 48),
            textureWaves: waves(count: 6, wavelengthMM: 3...9, &random),
            tumourWaves: waves(count: 6, wavelengthMM: 6...14, &random),
            edemaDropHU: random.normal(mean: signals.edemaDropHU, sd: 2.5, within: 3...15),
            fluidLevelV: subtype == .oralAnticoagulation && random.bernoulli(0.6) ? random.uniform(-3, 3) : nil,
            levelContrastHU: random.uniform(6, 14),
            ventricularExtension: location == .deep && random.bernoulli(signals.ventricularExtensionProbability))
        lesion.solveShape(ichML: ichML, pheML: pheML, efficiency: neoplastic ? 0.66 : 0.77)
        lesion.centre = placement(location: location, lesion: lesion, anatomy: anatomy, avoiding: other, &random)
        return lesion
    }

    /// A centre for the lesion at its location, deep enough that the clot stays inside the brain.
    static func placement(location: HemorrhageLocation, lesion: HemorrhageSpec, anatomy: HeadAnatomy,
                          avoiding other: HemorrhageSpec?, _ random: inout PhantomRandom) -> [Double] {
        let side: Double = random.bernoulli(0.5) ? 1 : -1
        let clotReach = lesion.radiusMM * 1.15
        switch location {
        case .deep:
            let thalamic = random.bernoulli(0.35)
            return thalamic ? [side * random.uniform(8, 14), random.uniform(-16, -8), random.uniform(2, 9)]
                : [side * random.uniform(20, 27), random.uniform(-4, 10), random.uniform(-2, 8)]
        case .cerebellar:
            return [side * random.uniform(16, 26), random.uniform(-50, -42), random.uniform(-34, -26)]
        case .brainstem:
            return [random.uniform(-3, 3), random.uniform(-16, -11), random.uniform(-24, -14)]
        case .lobar:
            var best: [Double] = [side * 30, 10, 30]
            for _ in 0..<40 {
                let u = side * random.uniform(10, 55), v = random.uniform(-70, 60), w = random.uniform(0, 60)
                let r = anatomy.brainRadius(u: u, v: v, w: w)
                let inset = anatomy.semiAxesMM[0] - anatomy.scalpMM - anatomy.skullMM
                // Normalised depth the clot needs: its radius plus the cortex, in units of the brain radius.
                let needed = 1 - (clotReach + 6) / inset
                if r > needed || r < 0.35 || (abs(u) < 18 && w < 40) { continue }
                if let other {
                    let d = zip([u, v, w], other.centre).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
                    if d < clotReach + other.radiusMM * 1.3 + 10 { continue }
                }
                best = [u, v, w]
                break
            }
            return best
        }
    }
}

/// How one scan's image formation deviates from its centre's nominal protocol.
public struct ScanConditions: Sendable, Codable, Equatable {
    /// The HU that water reads on this scan (the centre's offset plus this scan's drift).
    public var calibrationOffsetHU: Double
    /// Beam-hardening cupping on this scan: the brain's centre reads this much lower than its surface, HU.
    public var cuppingHU: Double

    public init(calibrationOffsetHU: Double, cuppingHU: Double) {
        self.calibrationOffsetHU = calibrationOffsetHU
        self.cuppingHU = cuppingHU
    }
}
