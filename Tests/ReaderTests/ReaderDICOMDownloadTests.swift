import Foundation
@testable import DICOM
import Hummingbird
import HummingbirdTesting
import Imaging
import Pipeline
import Reader
import Testing
import TestSupport

/// A DICOM upload (.zip of a CT series) gives the DICOM objects as downloads next to the mask and report:
/// seg.dcm over the uploaded series, sr.dcm and montage.dcm, all in the uploaded study; a NIfTI upload has none.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/dcm2niix"), "needs dcm2niix (scripts/install-deps)"))
struct ReaderDICOMDownloadTests {
    @Test func dicomUploadOffersSegmentationReportAndMontage() async throws {
        let fixture = try ReaderFixture()
        let (zip, study, series) = try Self.seriesZip(PlumbingFixtures.syntheticCT(seed: 3))
        let app = try await buildApplication(configuration: fixture.configuration)
        try await app.test(.router) { client in
            let response = try await client.upload(Data(zip), name: "head_ct.zip")
            #expect(response.status == .accepted)
            let status = try await client.waitForJob(try client.decode(JobStatus.self, response).id)
            #expect(status.state == .done, "\(String(describing: status.error))")
            let report = try #require(status.report)
            #expect(report.files.dicom == DICOMCaseResults.fileNames)
            #expect(report.warnings?.contains { $0.contains("DICOM") } != true, "\(report.warnings ?? [])")

            let expectedClasses = ["seg.dcm": "1.2.840.10008.5.1.4.1.1.66.4", "sr.dcm": "1.2.840.10008.5.1.4.1.1.88.34",
                                   "montage.dcm": "1.2.840.10008.5.1.4.1.1.7"]
            for name in DICOMCaseResults.fileNames {
                let download = try await client.execute(uri: "/api/cases/\(status.id)/download/\(name)", method: .get)
                #expect(download.status == .ok, "\(name)")
                #expect(download.headers[.contentType] == "application/dicom")
                #expect(download.headers[.contentDisposition] == "attachment; filename=\"\(name)\"")
                let file = fixture.directory.file("downloaded-\(name)")
                try Data(buffer: download.body).write(to: file)
                let dataset = try DICOMDataset(reading: file.path)
                #expect(try dataset.string("SOPClassUID") == expectedClasses[name], "\(name)")
                #expect(try dataset.string("StudyInstanceUID") == study, "\(name)")
                if name == "seg.dcm" {
                    #expect(try dataset.string("ReferencedSeriesSequence[0].SeriesInstanceUID") == series)
                }
            }
        }
    }

    @Test func niftiUploadHasNoDICOMDownloads() async throws {
        let fixture = try ReaderFixture()
        let app = try await buildApplication(configuration: fixture.configuration)
        try await app.test(.router) { client in
            let response = try await client.upload(Data(contentsOf: fixture.ct), name: "case_a.nii.gz")
            let status = try await client.waitForJob(try client.decode(JobStatus.self, response).id)
            #expect(status.report?.files.dicom == nil)
            let download = try await client.execute(uri: "/api/cases/\(status.id)/download/seg.dcm", method: .get)
            #expect(download.status == .notFound)
        }
    }

    /// The volume as a .zip of an axial CT series (one image per z slice, geometry from its affine, stored
    /// value HU + 1024); returns the archive with the study's and the series' UIDs.
    static func seriesZip(_ volume: Volume<Float>) throws -> (zip: [UInt8], study: String, series: String) {
        let scratch = try TemporaryDirectory("neoich-reader-dicom")
        let a = volume.geometry.affine, shape = volume.shape
        func lps(_ v: [Double]) -> [Double] { [-v[0], -v[1], v[2]] }
        func unit(_ column: Int) -> [Double] {
            let v = (0..<3).map { a[$0, column] }, n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return lps(v.map { $0 / n })
        }
        let (study, series, frame) = (try newDICOMUID(), try newDICOMUID(), try newDICOMUID())
        var files: [(name: String, bytes: [UInt8])] = []
        for z in 0..<shape.z {
            let w = volume.geometry.world(ofVoxel: VoxelPoint(z: Double(z), y: 0, x: 0))
            let dataset = try DICOMDataset()
            for (path, value) in [
                ("SOPClassUID", "1.2.840.10008.5.1.4.1.1.2"), ("SOPInstanceUID", try newDICOMUID()), ("Modality", "CT"),
                ("ImageType", "ORIGINAL\\PRIMARY\\AXIAL"), ("PatientID", "READER1"), ("StudyInstanceUID", study),
                ("SeriesInstanceUID", series), ("FrameOfReferenceUID", frame), ("SeriesNumber", "2"), ("InstanceNumber", String(z + 1)),
                ("ImagePositionPatient", lps([w.x, w.y, w.z]).map { String($0) }.joined(separator: "\\")),
                ("ImageOrientationPatient", (unit(0) + unit(1)).map { String($0) }.joined(separator: "\\")),
                ("PixelSpacing", "\(volume.spacingMM.y)\\\(volume.spacingMM.x)"), ("SliceThickness", String(volume.spacingMM.z)),
                ("SamplesPerPixel", "1"), ("PhotometricInterpretation", "MONOCHROME2"), ("Rows", String(shape.y)),
                ("Columns", String(shape.x)), ("BitsAllocated", "16"), ("BitsStored", "16"), ("HighBit", "15"),
                ("PixelRepresentation", "0"), ("RescaleIntercept", "-1024"), ("RescaleSlope", "1"),
            ] { try dataset.set(path, value) }
            var words: [UInt16] = []
            for y in 0..<shape.y { for x in 0..<shape.x { words.append(UInt16(max(0, min(65535, (volume[z, y, x] + 1024).rounded())))) } }
            try dataset.setPixels(words)
            let file = scratch.file("IM\(z).dcm")
            try dataset.write(to: file)
            files.append(("series/IM\(z).dcm", [UInt8](try Data(contentsOf: file))))
        }
        return (HostileInputs.storedZip(files), study, series)
    }
}
