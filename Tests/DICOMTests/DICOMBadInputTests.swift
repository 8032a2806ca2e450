import Foundation
@testable import DICOM
import Imaging
import TestSupport
import Testing

/// Series NeoICH must refuse, with the file (or the input) named in the message.
@Suite(.enabled(if: dcm2niixInstalled, "needs dcm2niix (scripts/install-deps)"))
struct DICOMBadInputTests {
    /// Writes `series` and returns the error reading it gives, with the input folder.
    func failure(_ series: SyntheticCTSeries) throws -> (error: Error, folder: URL, directory: TemporaryDirectory) {
        let directory = try TemporaryDirectory()
        let folder = directory.file("dicom")
        try series.write(to: folder)
        do {
            _ = try DICOMSeriesImport.read(folder)
        } catch {
            return (error, folder, directory)
        }
        Issue.record("no error for the series")
        throw DICOMError.toolkit(operation: "test", message: "no error")
    }

    @Test func gantryTiltIsRefused() throws {
        var series = SyntheticCTSeries()
        series.step = [0, 0.8, 2.5]
        let (error, folder, _) = try failure(series)
        guard case DICOMError.gantryTilt(let file, _)? = error as? DICOMError else {
            Issue.record("expected gantry tilt, got \(error)")
            return
        }
        #expect(file.hasPrefix(folder.path + "/IM000"))
    }

    @Test func nonOrthogonalOrientationIsRefused() throws {
        var series = SyntheticCTSeries()
        series.orientation = [1, 0, 0, 0.2, 0.98, 0]
        let (error, folder, _) = try failure(series)
        guard case DICOMError.invalidAttribute(let file, "ImageOrientationPatient", _)? = error as? DICOMError else {
            Issue.record("expected an invalid orientation, got \(error)")
            return
        }
        #expect(file.hasPrefix(folder.path + "/IM000"))
    }

    @Test func imageOfAnotherSizeInTheSeriesIsRefused() throws {
        var series = SyntheticCTSeries()
        series.overrides = [(1, "Rows", "7")]
        let (error, folder, _) = try failure(series)
        guard case DICOMError.mixedSeries(let file, let detail)? = error as? DICOMError else {
            Issue.record("expected a mixed series, got \(error)")
            return
        }
        #expect(file == folder.appendingPathComponent("IM0002.dcm").path)
        #expect(detail.contains("7×5"))
    }

    @Test func imageWithoutPositionIsRefused() throws {
        var series = SyntheticCTSeries()
        series.overrides = [(2, "ImagePositionPatient", "")]
        let (error, folder, _) = try failure(series)
        #expect(error as? DICOMError == .missingAttribute(file: folder.appendingPathComponent("IM0003.dcm").path,
                                                          attribute: "ImagePositionPatient"))
    }

    @Test func enhancedMultiFrameCTIsRefusedNamingTheFile() throws {
        var enhanced = SyntheticCTSeries()
        enhanced.overrides = (0..<enhanced.count).map { ($0, "SOPClassUID", "1.2.840.10008.5.1.4.1.1.2.1") }
        let (error, folder, _) = try failure(enhanced)
        guard case DICOMError.multiFrame(let file, let detail)? = error as? DICOMError else {
            Issue.record("expected a multi-frame refusal, got \(error)")
            return
        }
        #expect(file.hasPrefix(folder.path + "/IM000"))
        #expect(detail.contains("Enhanced CT Image Storage"))
        #expect("\(error)".contains("single-frame CT series"))

        var frames = SyntheticCTSeries()
        frames.overrides = [(2, "NumberOfFrames", "3")]
        let (framesError, framesFolder, _) = try failure(frames)
        guard case DICOMError.multiFrame(let framesFile, let framesDetail)? = framesError as? DICOMError else {
            Issue.record("expected a multi-frame refusal, got \(framesError)")
            return
        }
        #expect(framesFile == framesFolder.appendingPathComponent("IM0003.dcm").path)
        #expect(framesDetail.contains("3 frames"))
    }

    @Test func nonCTAndLocalizerSeriesAreRefused() throws {
        var mr = SyntheticCTSeries()
        mr.overrides = (0..<mr.count).map { ($0, "Modality", "MR") }
        let (mrError, mrFolder, _) = try failure(mr)
        #expect(mrError as? ImagingError == .noCTSeries(file: mrFolder.path, found: "modalities MR (MRI)"))

        var localizer = SyntheticCTSeries()
        localizer.overrides = (0..<localizer.count).map { ($0, "ImageType", "ORIGINAL\\PRIMARY\\LOCALIZER") }
        let (localizerError, localizerFolder, _) = try failure(localizer)
        guard case ImagingError.noEligibleSeries(let file, let detail)? = localizerError as? ImagingError else {
            Issue.record("expected no eligible series, got \(localizerError)")
            return
        }
        #expect(file == localizerFolder.path && detail.contains("localizer"))
    }
}
