import Foundation
import Imaging

/// Writes a rendered image (the overlay montage) as a DICOM Secondary Capture Image: RGB, 8 bits per sample,
/// in the source study and a series of its own, so that a PACS shows it next to the CT.
public enum DICOMSecondaryCaptureWriter {
    /// Secondary Capture Image Storage.
    public static let sopClassUID = "1.2.840.10008.5.1.4.1.1.7"

    /// Writes `image` (alpha is dropped) to `url`.
    ///
    /// - Parameters:
    ///   - description: SeriesDescription and DerivationDescription, e.g. what the overlay shows.
    /// - Returns: the SOP Instance UID of the written image.
    /// - Throws: `DICOMError.geometryMismatch` for an empty or oversized image, `DICOMError.toolkit` with
    ///   DCMTK's message when it cannot be written.
    @discardableResult
    public static func write(_ image: RGBAImage, source: DICOMSourceSeries, creator: DICOMSegmentationWriter.Creator,
                             description: String, to url: URL) throws -> String {
        guard image.width > 0, image.height > 0, image.width <= Int(UInt16.max), image.height <= Int(UInt16.max) else {
            throw DICOMError.geometryMismatch(file: url.path, detail: "a \(image.width)×\(image.height) image cannot be stored")
        }
        let dataset = try DICOMSegmentationWriter.sourceHeader(source, series: false)
        let uid = try newDICOMUID()
        let now = Date()
        let (date, time) = (format(now, "yyyyMMdd"), format(now, "HHmmss"))
        let attributes: [(String, String)] = [
            ("SOPClassUID", sopClassUID), ("SOPInstanceUID", uid), ("Modality", "OT"), ("ConversionType", "WSD"),
            ("SeriesInstanceUID", try newDICOMUID()), ("SeriesNumber", String(creator.seriesNumber + 2)),
            ("SeriesDescription", description), ("Laterality", ""), ("InstanceNumber", "1"), ("ImageType", "DERIVED\\SECONDARY"),
            ("ContentDate", date), ("ContentTime", time), ("InstanceCreationDate", date), ("InstanceCreationTime", time),
            ("Manufacturer", creator.manufacturer), ("SecondaryCaptureDeviceManufacturer", creator.manufacturer),
            ("SecondaryCaptureDeviceManufacturerModelName", creator.algorithmName),
            ("SecondaryCaptureDeviceSoftwareVersions", creator.algorithmVersion), ("PatientOrientation", ""),
            ("DerivationDescription", description), ("BurnedInAnnotation", "NO"),
            ("SamplesPerPixel", "3"), ("PhotometricInterpretation", "RGB"), ("PlanarConfiguration", "0"),
            ("Rows", String(image.height)), ("Columns", String(image.width)), ("BitsAllocated", "8"), ("BitsStored", "8"),
            ("HighBit", "7"), ("PixelRepresentation", "0"),
        ]
        for (path, value) in attributes { try dataset.set(path, value) }
        // The source series the rendering shows.
        for (n, instance) in source.instances.enumerated() {
            try dataset.set("SourceImageSequence[\(n)].ReferencedSOPClassUID", instance.sopClassUID)
            try dataset.set("SourceImageSequence[\(n)].ReferencedSOPInstanceUID", instance.sopInstanceUID)
        }
        var rgb = [UInt8]()
        rgb.reserveCapacity(image.width * image.height * 3 + 1)
        for p in stride(from: 0, to: image.pixels.count, by: 4) { rgb += image.pixels[p..<(p + 3)] }
        if rgb.count % 2 == 1 { rgb.append(0) }
        try dataset.setPixels(bytes: rgb)
        try dataset.write(to: url)
        return uid
    }

    private static func format(_ date: Date, _ pattern: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }
}
