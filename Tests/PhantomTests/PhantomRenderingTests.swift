import Foundation
import Imaging
import Phantom
import TestSupport
import Testing

/// Rendered cases. Tests use a reduced in-plane matrix (same field of view, coarser pixels) so the suite
/// stays fast in debug builds; the full 512×512 grid is exercised by `neoich synth` (see the README).
@Suite struct PhantomRenderingTests {
    static func generator(matrix: Int = 96, seed: UInt64 = 11, profile: ScannerProfile = .centreA) throws -> PhantomGenerator {
        try PhantomGenerator(profile: profile.withMatrixSize(matrix), cohortSeed: seed)
    }

    @Test func sameSeedGivesIdenticalCases() throws {
        let a = try Self.generator().generate(index: 3), b = try Self.generator().generate(index: 3)
        #expect(a.image.voxels == b.image.voxels)
        #expect(a.labels.voxels == b.labels.voxels)
        #expect(a.spec == b.spec)
        let other = try Self.generator(seed: 12).generate(index: 3)
        #expect(other.image.voxels != a.image.voxels)
    }

    @Test func geometryIsTheCentresGridWithAnLPSAffine() throws {
        let phantom = try Self.generator(matrix: 64).generate(index: 0)
        #expect(phantom.image.shape == VolumeShape(z: 31, y: 64, x: 64))
        expectClose(phantom.image.spacingMM.z, 5)
        expectClose(phantom.image.spacingMM.x, 0.45 * 512 / 64)
        #expect(phantom.image.geometry.orientationCode == "LPS")
        #expect(phantom.labels.geometry == phantom.image.geometry)
    }

    /// Median stored HU per tissue (central sub-slice tissue map, voxels away from boundaries dominate the
    /// median) within the tissue's literature range, widened by what the PSF and partial volume do to small
    /// structures.
    @Test func tissueHUWithinRanges() throws {
        let phantom = try Self.generator(matrix: 128).generate(index: 2, includeTissueMap: true)
        let tissue = try #require(phantom.tissue)
        var values: [Tissue: [Double]] = [:]
        for i in 0..<phantom.image.count {
            if let t = Tissue(rawValue: tissue[offset: i]) { values[t, default: []].append(Double(phantom.image[offset: i])) }
        }
        func median(_ t: Tissue) throws -> Double {
            let v = try #require(values[t], "no \(t) voxels").sorted()
            return v[v.count / 2]
        }
        expectClose(try median(.air), -1000, absolute: 30)
        #expect(try median(.corticalBone) > 600)
        #expect((250...1000).contains(try median(.diploe)))
        #expect((-3...15).contains(try median(.csf)))
        #expect((32...43).contains(try median(.greyMatter)))
        #expect((23...32).contains(try median(.whiteMatter)))
        #expect((40...90).contains(try median(.hemorrhage)))
        #expect(try median(.edema) < (try median(.whiteMatter)))
    }

    /// Every case holds a hemorrhage; ICH voxels are the dense ones and PHE is hypodense next to them.
    @Test func labelsAreConsistentWithVoxels() throws {
        let generator = try Self.generator(matrix: 96)
        for index in 0..<6 {
            let phantom = generator.generate(index: index)
            var ich: [Double] = [], phe: [Double] = []
            for i in 0..<phantom.image.count {
                switch phantom.labels[offset: i] {
                case 1: ich.append(Double(phantom.image[offset: i]))
                case 2: phe.append(Double(phantom.image[offset: i]))
                default: break
                }
            }
            #expect(!ich.isEmpty, "case \(index) has no ICH")
            let ichMean = ich.reduce(0, +) / Double(max(ich.count, 1))
            #expect(Double(ich.filter { $0 > 40 }.count) >= 0.8 * Double(ich.count), "case \(index): ICH voxels not dense")
            if !phe.isEmpty {
                let pheMean = phe.reduce(0, +) / Double(phe.count)
                #expect(ichMean > pheMean + 15, "case \(index): ICH \(ichMean) vs PHE \(pheMean)")
                #expect(pheMean < 32, "case \(index): PHE mean \(pheMean) HU is not hypodense")
            }
        }
    }

    /// Rendered label volumes follow the drawn targets (median ratio within 15 %).
    @Test func renderedVolumesMatchTheirTargets() throws {
        let generator = try Self.generator(matrix: 80)
        var ichRatios: [Double] = [], pheRatios: [Double] = []
        for index in 0..<20 {
            let phantom = generator.generate(index: index)
            let f = try LesionFeatures.measure(image: phantom.image, labels: phantom.labels, file: phantom.spec.caseID)
            let ich = phantom.spec.hemorrhages.reduce(0) { $0 + $1.targetICHML }
            let phe = phantom.spec.hemorrhages.reduce(0) { $0 + $1.targetPHEML }
            ichRatios.append(f.ichVolumeML / ich)
            pheRatios.append(f.pheVolumeML / phe)
        }
        expectClose(PhantomCohortTests.median(ichRatios), 1, absolute: 0.15, "ICH measured/target \(ichRatios)")
        expectClose(PhantomCohortTests.median(pheRatios), 1, absolute: 0.15, "PHE measured/target \(pheRatios)")
    }

    /// Case k is the same whether written alone or with others, and the dataset validates.
    @Test func datasetIsExtensibleAndValidates() throws {
        let directory = try TemporaryDirectory("phantom")
        let generator = try Self.generator(matrix: 64)
        let all = directory.file("Dataset901_PhantomAll"), alone = directory.file("Dataset902_PhantomAlone")
        let written = try CohortSynthesizer(generator: generator, jobs: 2).write(to: all, count: 3)
        #expect(written.cases.count == 3)
        try CohortSynthesizer(generator: generator, jobs: 1).write(to: alone, start: 2, count: 1)
        let caseID = generator.spec(index: 2).caseID
        let opened = try NNUNetDataset.open(all), single = try NNUNetDataset.open(alone)
        let a = try NIfTIFile.read(opened.imageURL(caseID), as: Int16.self)
        let b = try NIfTIFile.read(single.imageURL(caseID), as: Int16.self)
        #expect(a.voxels == b.voxels)
        #expect(opened.validate().isEmpty, "\(opened.validate())")
        #expect(single.validate().isEmpty, "\(single.validate())")
        let records = try #require(opened.cohort).records
        #expect(records.map(\.caseID) == opened.cases)
        #expect(records.allSatisfy { ["neoplastic", "non-neoplastic"].contains($0.label) && $0.centre == "A" })
        // Extending the single-case dataset keeps its row and adds the new ones.
        let extended = try CohortSynthesizer(generator: generator, jobs: 1).write(to: alone, start: 0, count: 1)
        #expect(extended.cases.count == 2)
        #expect(try NNUNetDataset.open(alone).validate().isEmpty)
    }

    @Test func centreBShiftsAppearanceNotAnatomy() throws {
        let a = try Self.generator(matrix: 64).spec(index: 4)
        let b = try Self.generator(matrix: 64, profile: .centreB).spec(index: 4)
        // Different centres draw different patients (the centre is part of the case seed).
        #expect(a.seed != b.seed)
        let phantom = try Self.generator(matrix: 64, profile: .centreB).generate(index: 4)
        #expect(phantom.image.shape.z == 38)
        expectClose(phantom.image.spacingMM.z, 4)
        let record = phantom.record(centre: "B")
        #expect(record.split == "external")
        // The scan's own calibration offset and cupping are in its cohort.csv row.
        #expect(record.covariates["scan_offset_hu"] == String(format: "%.2f", phantom.spec.scan.calibrationOffsetHU))
        #expect(record.covariates["scan_cupping_hu"] == String(format: "%.2f", phantom.spec.scan.cuppingHU))
        #expect(phantom.spec.scan.cuppingHU > 0 && PhantomCase.covariateNames.suffix(2) == ["scan_offset_hu", "scan_cupping_hu"])
    }

    /// The same patients on a scanner with scan-to-scan variation: centre A's profile with the noise switched
    /// off (so two renderings differ only by the effect under test).
    static func quiet(_ change: (inout ScannerProfile) -> Void = { _ in }) throws -> PhantomGenerator {
        var profile = ScannerProfile.centreA.withMatrixSize(64)
        profile.noiseSigmaHU = 0
        change(&profile)
        return try PhantomGenerator(profile: profile, cohortSeed: 11)
    }

    @Test func scanConditionsAreDrawnPerCaseAroundTheCentresProtocol() throws {
        // Centre A has no drift and no cupping: every scan reads the nominal protocol.
        let a = try Self.generator(matrix: 64)
        #expect((0..<50).allSatisfy { a.spec(index: $0).scan == ScanConditions(calibrationOffsetHU: 0, cuppingHU: 0) })
        var profile = ScannerProfile.centreB.withMatrixSize(64)
        profile.offsetDriftSDHU = 4
        profile.cuppingHU = 10
        let b = try PhantomGenerator(profile: profile, cohortSeed: 11)
        let scans = (0..<400).map { b.spec(index: $0).scan }
        let offsets = scans.map(\.calibrationOffsetHU)
        let mean = offsets.reduce(0, +) / Double(offsets.count)
        let sd = (offsets.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(offsets.count - 1)).squareRoot()
        #expect(abs(mean - profile.offsetHU) < 0.6 && abs(sd - 4) < 0.6, "offset mean \(mean), SD \(sd)")
        #expect(scans.allSatisfy { (5...15).contains($0.cuppingHU) })
        #expect(Set(scans.map(\.cuppingHU)).count == scans.count)
        // Only the scan changes with the drift: the patient (anatomy, bleeds) is the same draw.
        #expect(b.spec(index: 7).hemorrhages == (try PhantomGenerator(profile: .centreB.withMatrixSize(64), cohortSeed: 11)).spec(index: 7).hemorrhages)
    }

    @Test func cuppingDarkensTheBrainsCentreAndLeavesAirAlone() throws {
        let plain = try Self.quiet().generate(index: 2, includeTissueMap: true)
        let cupped = try Self.quiet { $0.cuppingHU = 12 }.generate(index: 2)
        let depth = try Self.quiet { $0.cuppingHU = 12 }.spec(index: 2).scan.cuppingHU
        let tissue = try #require(plain.tissue)
        var brainDrops: [Double] = [], airDrops: [Double] = []
        for i in 0..<plain.image.count {
            let drop = Double(plain.image[offset: i]) - Double(cupped.image[offset: i])
            switch Tissue(rawValue: tissue[offset: i]) {
            case .whiteMatter?, .greyMatter?, .deepGrey?: brainDrops.append(drop)
            case .air?: airDrops.append(drop)
            default: break
            }
        }
        // Air is untouched but for a few voxels whose thin sub-slices or blurred neighbours hold tissue.
        let touched = airDrops.filter { abs($0) > 1 }
        #expect(Double(touched.count) < 0.001 * Double(airDrops.count) && touched.allSatisfy { abs($0) <= 2 },
                "air drops: \(touched.count) of \(airDrops.count), max \(airDrops.max() ?? 0)")
        // Parabolic in the brain's ellipsoid radius: the deepest brain reads ≈ `depth` lower, the cortex ≈ 0.
        let deepest = brainDrops.max() ?? 0, mean = brainDrops.reduce(0, +) / Double(brainDrops.count)
        #expect(abs(deepest - depth) <= max(1.5, 0.12 * depth), "deepest drop \(deepest), depth \(depth)")
        #expect(mean > 0.2 * depth && mean < 0.8 * depth, "mean drop \(mean)")
        #expect(brainDrops.min() ?? -9 >= -1)
    }

    @Test func contrastGainScalesHUAboutWater() throws {
        let plain = try Self.quiet().generate(index: 4, includeTissueMap: true)
        let gained = try Self.quiet { $0.contrastGain = 1.2 }.generate(index: 4)
        let tissue = try #require(plain.tissue)
        var checked = 0
        for i in 0..<plain.image.count where Tissue(rawValue: tissue[offset: i]) == .hemorrhage {
            let value = Double(plain.image[offset: i])
            guard value > 40 && value < 100 else { continue }  // away from partial-volume edges
            #expect(abs(Double(gained.image[offset: i]) - 1.2 * value) <= 1.2, "\(value) → \(gained.image[offset: i])")
            checked += 1
        }
        #expect(checked > 5)
    }

    @Test func scannerProfilesLoadFromJSONAndBadFilesAreNamed() throws {
        let folder = try TemporaryDirectory()
        let good = folder.file("b.json")
        try JSONEncoder().encode(ScannerProfile.centreB).write(to: good)
        #expect(try ScannerProfile.load(from: good) == .centreB)
        // The scan-to-scan fields are optional.
        let minimal = folder.file("minimal.json")
        try Data(#"{"centre":"C","matrixSize":256,"pixelSpacingMM":0.9,"sliceThicknessMM":5,"sliceCount":31,"pointSpreadSigmaMM":0.5,"noiseSigmaHU":4}"#.utf8).write(to: minimal)
        let loaded = try ScannerProfile.load(from: minimal)
        #expect(loaded.offsetDriftSDHU == 0 && loaded.cuppingHU == 0 && loaded.contrastGain == 1 && loaded.offsetHU == 0)
        let broken = folder.file("broken.json")
        try Data(#"{"centre":"C","matrixSize":256}"#.utf8).write(to: broken)
        #expect(throws: PhantomError.invalidDataset(file: broken.path, detail: "not a scanner profile: missing field \"pixelSpacingMM\"")) {
            try ScannerProfile.load(from: broken)
        }
        let outOfRange = folder.file("range.json")
        try Data(#"{"centre":"C","matrixSize":256,"pixelSpacingMM":0.9,"sliceThicknessMM":5,"sliceCount":31,"pointSpreadSigmaMM":0.5,"noiseSigmaHU":4,"contrastGain":7}"#.utf8).write(to: outOfRange)
        #expect(throws: PhantomError.self) { try ScannerProfile.load(from: outOfRange) }
    }
}
