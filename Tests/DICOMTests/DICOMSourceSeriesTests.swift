import Foundation
@testable import DICOM
@testable import Imaging
import TestSupport
import Testing

let dcm2niixInstalled = FileManager.default.isExecutableFile(atPath: "/usr/bin/dcm2niix")

/// Reading the headers of the converted series and tying each volume slice to its source image.
@Suite(.enabled(if: dcm2niixInstalled, "needs dcm2niix (scripts/install-deps)"))
struct DICOMSourceSeriesTests {
    @Test(arguments: SeriesLayout.allCases)
    func everySliceMapsToTheImageAtItsPosition(layout: SeriesLayout) throws {
        let directory = try TemporaryDirectory()
        let series = layout.series
        try series.write(to: directory.file("dicom"))
        let read = try DICOMSeriesImport.read(directory.file("dicom"))
        let source = read.source, volume = read.imported.volume
        #expect(source.instances.count == series.count)
        #expect(Set(source.instances.map(\.sopInstanceUID)) == Set((0..<series.count).map(series.instanceUID)))
        for (k, instance) in source.instances.enumerated() {
            let n = try #require((0..<series.count).first { series.instanceUID($0) == instance.sopInstanceUID })
            expectClose(instance.positionLPS, series.position(n), absolute: 1e-6)
            // The voxels the mapping names hold exactly this image's pixels, as dcm2niix converted them.
            let expected = (0..<series.rows).flatMap { r in
                (0..<series.columns).map { c in Float(SyntheticCTSeries.storedValue(row: r, column: c, image: n) - 1024) }
            }
            #expect(try source.voxelMapping(slice: k).frame(from: volume) == expected, "slice \(k) ↔ image \(n)")
        }
    }

    @Test func keepsPatientStudyAndSeriesIdentity() throws {
        let directory = try TemporaryDirectory()
        let series = SyntheticCTSeries()
        try series.write(to: directory.file("dicom"))
        let source = try DICOMSeriesImport.read(directory.file("dicom")).source
        let p = source.patientStudy
        #expect([p.patientName, p.patientID, p.patientBirthDate, p.patientSex] == ["Test^Synthetic", "NEOICH-0001", "19500101", "O"])
        #expect([p.studyInstanceUID, p.studyDate, p.studyTime, p.accessionNumber, p.referringPhysicianName, p.studyID]
                == [series.studyUID, "20260102", "101500", "ACC42", "Referrer^Ann", "S1"])
        #expect(source.seriesInstanceUID == series.seriesUID && source.seriesNumber == 3)
        #expect(source.frameOfReferenceUID == series.frameOfReferenceUID)
        #expect(source.rows == 6 && source.columns == 5 && source.pixelSpacingMM == [0.7, 0.5] && source.sliceThicknessMM == 2.5)
    }

    @Test func seriesInstanceUIDFromConvertedFileName() {
        #expect(DICOMImporter.seriesInstanceUID(inFileName: "2_1.2.826.0.1.3680043.nii") == "1.2.826.0.1.3680043")
        #expect(DICOMImporter.seriesInstanceUID(inFileName: "3_1.2.3.4_Tilt_1.nii") == "1.2.3.4")
        #expect(DICOMImporter.seriesInstanceUID(inFileName: "3_abc.nii") == nil)
        #expect(DICOMImporter.seriesInstanceUID(inFileName: "series.nii") == nil)
    }
}
