import Foundation
@testable import DICOM

/// A small CT series written with DCMTK for the DICOM tests.
///
/// Image n (in stacking order) has stored value 1 + c + 16 r + 256 n at row r, column c (unique per pixel,
/// so a converted volume tells where each of its voxels came from) and RescaleIntercept −1024.
struct SyntheticCTSeries {
    var rows = 6
    var columns = 5
    var count = 4
    /// PixelSpacing (between rows, between columns).
    var pixelSpacing = [0.7, 0.5]
    var thickness = 2.5
    /// ImageOrientationPatient.
    var orientation = [1.0, 0, 0, 0, 1, 0]
    /// Position of image 0 and the step between images (LPS).
    var origin = [-2.0, -3.0, 10.0]
    var step = [0.0, 0.0, 2.5]
    /// Names and numbers the files against stacking order (the last image is IM0001.dcm, InstanceNumber 1).
    var reverseFileNames = false
    var studyUID = "1.2.826.0.1.3680043.8.498.1"
    var seriesUID = "1.2.826.0.1.3680043.8.498.1.2"
    var frameOfReferenceUID = "1.2.826.0.1.3680043.8.498.1.3"
    /// Per-image changes applied last: (image, attribute path, value).
    var overrides: [(Int, String, String)] = []

    static let ctImageStorage = "1.2.840.10008.5.1.4.1.1.2"

    func instanceUID(_ n: Int) -> String { "\(seriesUID).\(n + 1)" }

    func position(_ n: Int) -> [Double] { (0..<3).map { origin[$0] + Double(n) * step[$0] } }

    static func storedValue(row r: Int, column c: Int, image n: Int) -> Int { 1 + c + 16 * r + 256 * n }

    /// Writes the series into `folder`; returns the file of each image.
    @discardableResult
    func write(to folder: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var files: [URL] = []
        for n in 0..<count {
            let dataset = try DICOMDataset()
            let attributes: [(String, String)] = [
                ("SpecificCharacterSet", "ISO_IR 100"),
                ("SOPClassUID", Self.ctImageStorage), ("SOPInstanceUID", instanceUID(n)),
                ("ImageType", "ORIGINAL\\PRIMARY\\AXIAL"), ("Modality", "CT"), ("Manufacturer", "Synthetic"),
                ("PatientName", "Test^Synthetic"), ("PatientID", "NEOICH-0001"), ("PatientBirthDate", "19500101"),
                ("PatientSex", "O"), ("StudyInstanceUID", studyUID), ("StudyDate", "20260102"), ("StudyTime", "101500"),
                ("AccessionNumber", "ACC42"), ("ReferringPhysicianName", "Referrer^Ann"), ("StudyID", "S1"),
                ("SeriesInstanceUID", seriesUID), ("SeriesNumber", "3"), ("SeriesDescription", "Head 2.5mm"),
                ("InstanceNumber", String(reverseFileNames ? count - n : n + 1)), ("FrameOfReferenceUID", frameOfReferenceUID),
                ("PositionReferenceIndicator", ""),
                ("ImagePositionPatient", position(n).map { String($0) }.joined(separator: "\\")),
                ("ImageOrientationPatient", orientation.map { String($0) }.joined(separator: "\\")),
                ("PixelSpacing", pixelSpacing.map { String($0) }.joined(separator: "\\")),
                ("SliceThickness", String(thickness)), ("KVP", "120"), ("AcquisitionNumber", "1"),
                ("SamplesPerPixel", "1"), ("PhotometricInterpretation", "MONOCHROME2"),
                ("Rows", String(rows)), ("Columns", String(columns)), ("BitsAllocated", "16"), ("BitsStored", "16"),
                ("HighBit", "15"), ("PixelRepresentation", "0"),
                ("RescaleIntercept", "-1024"), ("RescaleSlope", "1"), ("RescaleType", "HU"),
                ("WindowCenter", "40"), ("WindowWidth", "80"),
            ]
            for (path, value) in attributes { try dataset.set(path, value) }
            for (image, path, value) in overrides where image == n { try dataset.set(path, value) }
            let r = Int(try dataset.string("Rows") ?? "") ?? rows, c = Int(try dataset.string("Columns") ?? "") ?? columns
            var words: [UInt16] = []
            for row in 0..<r { for column in 0..<c { words.append(UInt16(Self.storedValue(row: row, column: column, image: n))) } }
            try dataset.setPixels(words)
            let name = String(format: "IM%04d.dcm", reverseFileNames ? count - n : n + 1)
            let url = folder.appendingPathComponent(name)
            try dataset.write(to: url)
            files.append(url)
        }
        return files
    }
}
