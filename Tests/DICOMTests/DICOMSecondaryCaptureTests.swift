import Foundation
@testable import DICOM
import Imaging
import TestSupport
import Testing

/// The overlay montage as a Secondary Capture image in the source study.
@Suite(.enabled(if: dcm2niixInstalled, "needs dcm2niix (scripts/install-deps)"))
struct DICOMSecondaryCaptureTests {
    /// A 7 × 5 RGBA image whose every pixel differs (odd byte count: the pixel data needs padding).
    static var image: RGBAImage {
        var image = RGBAImage(width: 7, height: 5)
        for r in 0..<5 { for c in 0..<7 { image[r, c] = RGBColor(UInt8(10 * c), UInt8(40 * r), UInt8(r * 7 + c)) } }
        return image
    }

    static func written() throws -> (DICOMSegmentationTests.Written, URL, String) {
        let written = try DICOMSegmentationTests.Written(.headFirst)
        let url = written.directory.file("montage.dcm")
        let uid = try DICOMSecondaryCaptureWriter.write(image, source: written.read.source, creator: .init(algorithmVersion: "9.8.7"),
                                                        description: "NeoICH overlay montage", to: url)
        return (written, url, uid)
    }

    @Test func keepsPixelsAndStudy() throws {
        let (written, url, uid) = try Self.written()
        let sc = try DICOMDataset(reading: url.path, headersOnly: false)
        #expect(try sc.string("SOPClassUID") == DICOMSecondaryCaptureWriter.sopClassUID && sc.string("SOPInstanceUID") == uid)
        #expect(try sc.string("PhotometricInterpretation") == "RGB" && sc.string("Rows") == "5" && sc.string("Columns") == "7")
        #expect(try sc.string("StudyInstanceUID") == written.series.studyUID && sc.string("PatientName") == "Test^Synthetic")
        #expect(try sc.string("SeriesInstanceUID") != written.series.seriesUID)
        #expect(try sc.count("SourceImageSequence") == written.series.count)
        let rgb = Array(try sc.pixelBytes().prefix(7 * 5 * 3))
        var expected: [UInt8] = []
        for r in 0..<5 { for c in 0..<7 { let p = Self.image[r, c]; expected += [p.r, p.g, p.b] } }
        #expect(rgb == expected)
    }

    @Test(.enabled(if: Dciodvfy.isInstalled, Comment(rawValue: Dciodvfy.missing)))
    func dciodvfyReportsNoErrors() throws {
        let (written, url, _) = try Self.written()
        let (errors, output) = try Dciodvfy.check(url)
        #expect(errors.isEmpty, "dciodvfy:\n\(output)")
        #expect(output.contains("SC"), "dciodvfy:\n\(output)")
        withExtendedLifetime(written) {}  // the folder holding the image lives until dciodvfy has run
    }
}
