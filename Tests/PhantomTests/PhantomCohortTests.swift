import Foundation
import Imaging
import Phantom
import TestSupport
import Testing

/// Cohort-level draws: class and subtype proportions, clinical covariates and volumes against 001_… Table 1.
/// Only the random draws are exercised here (no rendering), so hundreds of cases take milliseconds.
@Suite struct PhantomCohortTests {
    static let profile = ScannerProfile.centreA

    static func specs(_ count: Int, seed: UInt64 = 7) -> [PhantomCaseSpec] {
        (0..<count).map { PhantomCaseSpec.draw(cohortSeed: seed, index: $0, profile: profile) }
    }

    static func median(_ x: [Double]) -> Double {
        let s = x.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    @Test func classAndSubtypeProportionsFollowTable1() {
        let specs = Self.specs(3000)
        let neoplastic = specs.filter { $0.etiologyClass == .neoplastic }
        // Table 1: 116/291 = 39.9 % neoplastic; 79/116 metastases; 72/175 hypertensive, 43 CAA, 10 oAC, 50 VM.
        expectClose(Double(neoplastic.count) / 3000, 116.0 / 291, absolute: 0.03)
        expectClose(Double(neoplastic.filter { $0.subtype == .metastasis }.count) / Double(neoplastic.count), 79.0 / 116, absolute: 0.04)
        let other = specs.filter { $0.etiologyClass == .nonNeoplastic }
        for (subtype, count) in [(EtiologySubtype.hypertensive, 72.0), (.amyloidAngiopathy, 43), (.oralAnticoagulation, 10), (.vascularMalformation, 50)] {
            expectClose(Double(other.filter { $0.subtype == subtype }.count) / Double(other.count), count / 175, absolute: 0.035, "\(subtype)")
        }
        #expect(specs.allSatisfy { $0.subtype.etiologyClass == $0.etiologyClass })
    }

    @Test func covariatesFollowTable1() {
        let specs = Self.specs(3000)
        for (cls, hypertension, medianAge, medianOnset) in [(EtiologyClass.neoplastic, 0.336, 63.0, 1.0), (.nonNeoplastic, 0.611, 66.0, 0.32)] {
            let group = specs.filter { $0.etiologyClass == cls }.map(\.covariates)
            expectClose(Double(group.filter(\.hypertension).count) / Double(group.count), hypertension, absolute: 0.04, "\(cls) hypertension")
            expectClose(Self.median(group.map { Double($0.ageYears) }), medianAge, absolute: 2, "\(cls) age")
            expectClose(Self.median(group.map(\.onsetToImagingDays)), medianOnset, relative: 0.15, "\(cls) onset")
            #expect(group.allSatisfy { (3...15).contains($0.gcs) })
        }
    }

    /// Issue 4: volumes within 15 % of the Table 1 medians. Drawn targets times the measured rendering inflation
    /// (`EtiologySignals.renderingInflation`, from `neoich phantom-calibration` over 800 rendered cases) must land
    /// there; the Table 1 values are typed in here, not taken from the generator.
    @Test func volumeMediansWithin15PercentOfTable1() {
        let specs = Self.specs(400)
        let k = EtiologySignals.renderingInflation
        for (cls, ich, phe, ichFactor, pheFactor) in [(EtiologyClass.neoplastic, 6.85, 23.11, k.ichNeoplastic, k.pheNeoplastic),
                                                      (.nonNeoplastic, 6.29, 10.48, k.ichNonNeoplastic, k.pheNonNeoplastic)] {
            let group = specs.filter { $0.etiologyClass == cls }
            let ichML = group.map { $0.hemorrhages.reduce(0) { $0 + $1.targetICHML } * ichFactor }
            let pheML = group.map { $0.hemorrhages.reduce(0) { $0 + $1.targetPHEML } * pheFactor }
            expectClose(Self.median(ichML), ich, relative: 0.15, "\(cls) ICH median")
            expectClose(Self.median(pheML), phe, relative: 0.15, "\(cls) PHE median")
        }
    }

    @Test func quantileDistributionReproducesItsQuantiles() {
        let d = QuantileDistribution(minimum: 0.02, q1: 0.21, median: 1.0, q3: 7.07, maximum: 30, logarithmic: true)
        expectClose(d.quantile(0.25), 0.21, relative: 1e-12)
        expectClose(d.quantile(0.5), 1.0, relative: 1e-12)
        expectClose(d.quantile(0.75), 7.07, relative: 1e-12)
        // Halfway between q1 and the median in probability is the geometric mean in value.
        expectClose(d.quantile(0.375), (0.21 * 1.0).squareRoot(), relative: 1e-12)
    }

    @Test func tissueDrawsStayInTheirLiteratureRanges() {
        var random = PhantomRandom(seed: 3)
        for _ in 0..<500 {
            let t = TissueHU.draw(&random)
            for (tissue, value) in [(Tissue.scalp, t.scalp), (.corticalBone, t.corticalBone), (.diploe, t.diploe), (.csf, t.csf),
                                    (.greyMatter, t.greyMatter), (.whiteMatter, t.whiteMatter), (.deepGrey, t.deepGrey),
                                    (.calcification, t.calcification), (.falx, t.falx)] {
                #expect(tissue.rangeHU.contains(value), "\(tissue) \(value) outside \(tissue.rangeHU)")
            }
        }
    }

    @Test func profilesValidateAndUnknownCentresAreNamed() throws {
        try ScannerProfile.centreA.validate()
        try ScannerProfile.centreB.validate()
        #expect(ScannerProfile.centreA.sliceCount == 31 && ScannerProfile.centreA.matrixSize == 512)
        expectClose(ScannerProfile.centreA.withMatrixSize(128).fieldOfViewMM, ScannerProfile.centreA.fieldOfViewMM)
        #expect(throws: PhantomError.unknownCentre("Z", known: ["A", "B"])) { try ScannerProfile.named("Z") }
        var bad = ScannerProfile.centreA
        bad.subSlicesPerSlice = 0
        #expect(throws: PhantomError.self) { try bad.validate() }
    }

    @Test func caseSeedDependsOnSeedIndexAndCentre() {
        let base = PhantomRandom.caseSeed(cohortSeed: 1, index: 5, centre: "A")
        #expect(base == PhantomRandom.caseSeed(cohortSeed: 1, index: 5, centre: "A"))
        #expect(base != PhantomRandom.caseSeed(cohortSeed: 2, index: 5, centre: "A"))
        #expect(base != PhantomRandom.caseSeed(cohortSeed: 1, index: 6, centre: "A"))
        #expect(base != PhantomRandom.caseSeed(cohortSeed: 1, index: 5, centre: "B"))
    }
}
