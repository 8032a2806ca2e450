import Foundation

/// Who a DICOM file is: its SOP class and instance, and the series and study it belongs to. What a PACS
/// client needs to find (or remove) an object it sent.
public struct DICOMInstanceIdentity: Sendable, Equatable, Codable {
    public var sopClassUID: String
    public var sopInstanceUID: String
    public var seriesInstanceUID: String
    public var studyInstanceUID: String
    public var modality: String

    /// Reads the identity from a file's headers.
    ///
    /// - Throws: `DICOMError.toolkit` for a file that is not DICOM, `.missingAttribute` naming the file for
    ///   an object without one of the UIDs.
    public init(reading file: URL) throws {
        let dataset = try DICOMDataset(reading: file.path)
        func required(_ name: String) throws -> String {
            guard let value = try dataset.string(name), !value.isEmpty else {
                throw DICOMError.missingAttribute(file: file.path, attribute: name)
            }
            return value
        }
        sopClassUID = try required("SOPClassUID")
        sopInstanceUID = try required("SOPInstanceUID")
        seriesInstanceUID = try required("SeriesInstanceUID")
        studyInstanceUID = try required("StudyInstanceUID")
        modality = try dataset.string("Modality") ?? ""
    }
}
