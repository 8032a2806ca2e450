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
        #expect(phantom.record(centre: "B").split == "external")
    }
}
