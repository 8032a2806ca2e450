import CDCMTK
import Foundation
import Imaging

/// Writes a label map as a DICOM Segmentation (binary, one segment per label) over its source CT series,
/// through DCMTK's dcmseg.
///
/// Every segment has one frame per source image, empty or not (the standard allows leaving empty frames
/// out). Writing them all keeps each segment's frames a complete stack on the source images: viewers that
/// pair SEG frames with the referenced images one to one, or need every segment to have frames (a PHE-free
/// case), show the result without gaps, at a cost of rows × columns / 8 bytes per frame. Frame n of
/// segment s lies on `source.instances[n]`: same ImagePositionPatient, shared ImageOrientationPatient and
/// PixelSpacing, DerivationImageSequence → SourceImageSequence naming that instance, and the Referenced
/// Series Sequence listing the whole series. Patient, study and frame of reference come from the source.
public enum DICOMSegmentationWriter {
    /// Who made the segmentation, written into equipment, content identification and algorithm identification.
    public struct Creator: Sendable {
        public var algorithmName = "NeoICH"
        public var algorithmVersion: String
        public var manufacturer = "NeoICH"
        public var seriesDescription = "NeoICH ICH/PHE segmentation (research use only)"
        public var seriesNumber = 9001
        /// ContentCreatorName (a person name: family^given).
        public var contentCreator = "NeoICH^"

        public init(algorithmVersion: String) { self.algorithmVersion = algorithmVersion }
    }

    /// Writes `labels` (on `source.volumeGeometry`) to `url`.
    ///
    /// - Returns: the SOP Instance UID of the written object.
    /// - Throws: `DICOMError.geometryMismatch` when the label map is not on the series' grid,
    ///   `DICOMError.toolkit` with DCMTK's message when the object cannot be built or written.
    @discardableResult
    public static func write(_ labels: LabelMap, source: DICOMSourceSeries, creator: Creator,
                             segments: [SegmentDefinition] = SegmentDefinition.neoICH, to url: URL) throws -> String {
        if let difference = source.volumeGeometry.mismatch(with: labels.geometry) {
            throw DICOMError.geometryMismatch(file: url.path, detail: "label map not on the DICOM series' grid: \(difference)")
        }
        guard source.rows <= Int(UInt16.max), source.columns <= Int(UInt16.max) else {
            throw DICOMError.geometryMismatch(file: url.path, detail: "images larger than 65535 pixels")
        }
        let mappings = try source.instances.indices.map { try source.voxelMapping(slice: $0) }
        let header = try sourceHeader(source)
        var segmentation: OpaquePointer?
        let strings = [creator.manufacturer, "NeoICH", creator.algorithmVersion, "0", creator.seriesDescription,
                       String(creator.seriesNumber), "1", "NEOICH_SEG",
                       "ICH and PHE segmented by \(creator.algorithmName)", creator.contentCreator]
        try withCStrings(strings) { s in
            var info = cd_segmentation_info(
                manufacturer: s[0], model_name: s[1], software_versions: s[2], device_serial_number: s[3],
                series_description: s[4], series_number: s[5], instance_number: s[6], content_label: s[7],
                content_description: s[8], content_creator: s[9])
            try check(cd_segmentation_create(UInt16(source.rows), UInt16(source.columns), &info, header.pointer,
                                             &segmentation), "creating the segmentation")
        }
        guard let segmentation else { throw DICOMError.toolkit(operation: "creating the segmentation", message: "no object") }
        defer { cd_segmentation_free(segmentation) }

        var numbers: [UInt16] = []
        for segment in segments {
            var number: UInt16 = 0
            let texts = [segment.name, segment.category.value, segment.category.scheme, segment.category.meaning,
                         segment.type.value, segment.type.scheme, segment.type.meaning,
                         creator.algorithmName, creator.algorithmVersion]
            try withCStrings(texts) { s in
                let category = cd_code(value: s[1], scheme: s[2], meaning: s[3])
                let type = cd_code(value: s[4], scheme: s[5], meaning: s[6])
                try check(cd_segmentation_add_segment(segmentation, s[0], category, type, s[7], s[8], segment.rgb, &number),
                          "adding segment \(segment.name)")
            }
            numbers.append(number)
        }
        try check(cd_segmentation_set_geometry(segmentation, source.orientation, source.pixelSpacingMM,
                                               source.sliceThicknessMM), "setting the plane geometry")
        for (segment, number) in zip(segments, numbers) {
            for (k, instance) in source.instances.enumerated() {
                let frame = mappings[k].frame(from: labels).map { $0 == segment.label ? UInt8(1) : 0 }
                try check(cd_segmentation_add_frame(segmentation, frame, number, instance.positionLPS, UInt32(k + 1),
                                                    instance.sopClassUID, instance.sopInstanceUID),
                          "adding frame \(k + 1) of segment \(segment.name)")
            }
        }
        var buffer = [CChar](repeating: 0, count: 128)
        var needed: Int64 = 0
        try check(cd_segmentation_save(segmentation, url.path, &buffer, Int64(buffer.count), &needed), "writing \(url.path)")
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A header carrying the source's patient and study, and (with `series`) its series and frame of reference,
    /// for dcmseg and dcmsr to take over.
    static func sourceHeader(_ source: DICOMSourceSeries, series: Bool = true) throws -> DICOMDataset {
        let header = try DICOMDataset()
        // Type 2 attributes are written even when empty, as the modules require.
        for attribute in DICOMPatientStudy.attributes {
            let value = source.patientStudy[keyPath: attribute.keyPath]
            if !value.isEmpty || attribute.name != "SpecificCharacterSet" { try header.set(attribute.name, value) }
        }
        guard series else { return header }
        try header.set("PositionReferenceIndicator", "")
        try header.set("SeriesInstanceUID", source.seriesInstanceUID)
        try header.set("FrameOfReferenceUID", source.frameOfReferenceUID)
        return header
    }
}
