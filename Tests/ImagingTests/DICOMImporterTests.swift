import Foundation
@testable import Imaging
import TestSupport
import Testing

/// DICOM fixtures: synthetic series written by pydicom (scripts/fixtures/imaging_fixtures.py). Stored value
/// of column c, row r, slice k = 500 + c + 8r + 64k; the thin series has RescaleSlope 2, intercept −1024.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/dcm2niix"), "needs dcm2niix (scripts/install-deps)"))
struct DICOMImporterTests {
    @Test func picksThinnestCTSeriesAndAppliesRescale() throws {
        let imported = try DICOMImporter.importCT(from: try ImagingFixtures.url("dicom/study"))
        let selection = imported.selection
        #expect(selection.chosen.seriesNumber == 2)
        #expect(selection.chosen.sliceThicknessMM == 2.5)
        #expect(selection.candidates.count == 4)
        let verdicts = Dictionary(uniqueKeysWithValues: selection.candidates.compactMap { c in c.seriesNumber.map { ($0, c) } })
        #expect(verdicts[1]?.reason == "localizer")
        #expect(verdicts[3]?.eligible == true)
        #expect(verdicts[4]?.eligible == false && verdicts[4]?.reason.contains("> 5.0 mm") == true)
        #expect(selection.explanation.contains("series 2"))
        let volume = imported.volume
        #expect(volume.shape == VolumeShape(z: 4, y: 8, x: 8))
        expectClose(volume.spacingMM.array, [2.5, 0.5, 0.5], absolute: 1e-5)
        // HU = 2·(500 + c + 8r + 64k) − 1024: range −24 … 486, each value once.
        let values = volume.voxels.map(Double.init)
        #expect(values.min() == -24 && values.max() == 486)
        #expect(Set(values).count == 256)
        // Each voxel lands where DICOM puts it: LPS origin (−2, −3, 10) + (0.5c, 0.5r, 2.5k); RAS = (−L, −P, S).
        for z in 0..<4 { for y in 0..<8 { for x in 0..<8 {
            let stored = (Double(volume[z, y, x]) + 1024) / 2 - 500
            let k = Int(stored) / 64, r = (Int(stored) % 64) / 8, c = Int(stored) % 8
            let world = volume.geometry.world(ofVoxel: VoxelPoint(z: Double(z), y: Double(y), x: Double(x)))
            expectClose(world.x, -(-2 + 0.5 * Double(c)), absolute: 1e-4)
            expectClose(world.y, -(-3 + 0.5 * Double(r)), absolute: 1e-4)
            expectClose(world.z, 10 + 2.5 * Double(k), absolute: 1e-4)
        } } }
    }

    @Test func zipGivesTheSameVolume() throws {
        let imported = try DICOMImporter.importCT(from: try ImagingFixtures.url("dicom/study.zip"))
        #expect(imported.selection.chosen.seriesNumber == 2)
        #expect(imported.volume.shape == VolumeShape(z: 4, y: 8, x: 8))
        let directory = try TemporaryDirectory()
        let out = directory.file("ct.nii.gz")
        try DICOMImporter.convert(try ImagingFixtures.url("dicom/study.zip"), to: out)
        #expect(try NIfTIFile.read(out).voxels == imported.volume.voxels)
    }

    @Test func nonCTSeriesIsRejected() throws {
        let source = try ImagingFixtures.url("dicom/mr_only")
        #expect(throws: ImagingError.noCTSeries(file: source.path, found: "modalities MR (MRI)")) {
            _ = try DICOMImporter.importCT(from: source)
        }
    }

    @Test func emptyFolderAndFolderWithoutDICOM() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: ImagingError.emptyDICOMFolder(file: directory.url.path)) {
            _ = try DICOMImporter.importCT(from: directory.url)
        }
        try Data("hello".utf8).write(to: directory.file("notes.txt"))
        #expect { _ = try DICOMImporter.importCT(from: directory.url) } throws: { error in
            if case ImagingError.noDICOMSeries(let file, _)? = error as? ImagingError { return file == directory.url.path }
            return false
        }
    }

    @Test(arguments: [("dicom/traversal.zip", "../../evil.dcm"), ("dicom/absolute.zip", "/tmp/evil.dcm")])
    func zipWithPathTraversalIsRejected(name: String, entry: String) throws {
        let source = try ImagingFixtures.url(name)
        #expect(throws: ImagingError.unsafeArchiveEntry(file: source.path, entry: entry)) {
            _ = try DICOMImporter.importCT(from: source)
        }
    }

    @Test func brokenZipAndMissingSource() throws {
        let directory = try TemporaryDirectory()
        let zip = directory.file("broken.zip")
        try Data("PK not really".utf8).write(to: zip)
        #expect { _ = try DICOMImporter.importCT(from: zip) } throws: { error in
            if case ImagingError.invalidArchive? = error as? ImagingError { return true }
            return false
        }
        #expect(throws: ImagingError.fileNotFound(file: "/nonexistent/dicom")) {
            _ = try DICOMImporter.importCT(from: URL(fileURLWithPath: "/nonexistent/dicom"))
        }
    }

    @Test func entryNameRules() {
        #expect(ZipArchive.isSafe("DICOM/IM0001"))
        #expect(ZipArchive.isSafe("a..b/c"))
        #expect(!ZipArchive.isSafe("../x"))
        #expect(!ZipArchive.isSafe("a/../../x"))
        #expect(!ZipArchive.isSafe("/etc/passwd"))
        #expect(!ZipArchive.isSafe("C:\\Windows\\x"))
        #expect(!ZipArchive.isSafe("a\\..\\x"))
    }
}
