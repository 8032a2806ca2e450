import Foundation
import Imaging

/// A CT imported from DICOM together with the source series it came from.
public struct DICOMSeriesImport: Sendable {
    /// The volume and series choice, as `DICOMImporter` gives them.
    public var imported: DICOMImport
    /// The headers of the converted series, slice by slice.
    public var source: DICOMSourceSeries

    /// Imports the CT series of a DICOM folder or .zip (dcm2niix, `DICOMSeriesSelection`) and reads, with
    /// DCMTK, the headers of the series that was converted (matched by SeriesInstanceUID, else by
    /// SeriesNumber and Modality).
    ///
    /// - Throws: `ImagingError` as `DICOMImporter.importCT`; `DICOMError` naming the file for a series
    ///   whose instances lack positions, disagree with each other, are tilted, or do not lie on the volume's
    ///   slices.
    public static func read(_ source: URL, dcm2niix: String? = nil) throws -> DICOMSeriesImport {
        try DICOMImporter.importCT(from: source, dcm2niix: dcm2niix) { imported, folder in
            let series = try DICOMSourceSeriesReader.read(folder: folder, chosen: imported.selection.chosen,
                                                          volume: imported.volume.geometry, file: source.path)
            return DICOMSeriesImport(imported: imported, source: series)
        }
    }
}
