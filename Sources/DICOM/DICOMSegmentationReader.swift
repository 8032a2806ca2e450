import CDCMTK
import Foundation

/// One frame of a DICOM Segmentation, as read back.
public struct DICOMSegmentationFrame: Sendable, Equatable {
    /// ReferencedSegmentNumber.
    public var segmentNumber: Int
    /// ImagePositionPatient of the frame, LPS mm.
    public var positionLPS: [Double]
    /// The SOP Instance UID of the source image the frame is derived from.
    public var sourceSOPInstanceUID: String
    /// rows × columns values, 0 or 1, row by row.
    public var pixels: [UInt8]
}

/// Reads a binary DICOM Segmentation back with DCMTK: frames unpacked by dcmseg, per-frame attributes
/// from the functional groups (per-frame first, then shared).
public enum DICOMSegmentationReader {
    /// The object's frames in stored order.
    ///
    /// - Throws: `DICOMError.toolkit` for a file DCMTK cannot read as a segmentation,
    ///   `DICOMError.missingAttribute` for a frame without segment number or position.
    public static func frames(of url: URL) throws -> (rows: Int, columns: Int, frames: [DICOMSegmentationFrame]) {
        let file = url.path
        let dataset = try DICOMDataset(reading: file, headersOnly: true)
        var segmentation: OpaquePointer?
        try check(cd_segmentation_load(file, &segmentation), "reading \(file)")
        guard let segmentation else { throw DICOMError.toolkit(operation: "reading \(file)", message: "no object") }
        defer { cd_segmentation_free(segmentation) }
        var count: Int64 = 0, rows: UInt16 = 0, columns: UInt16 = 0
        try check(cd_segmentation_frame_count(segmentation, &count, &rows, &columns), "reading \(file)")
        var frames: [DICOMSegmentationFrame] = []
        for n in 0..<Int(count) {
            let perFrame = "PerFrameFunctionalGroupsSequence[\(n)]", shared = "SharedFunctionalGroupsSequence[0]"
            func value(_ path: String) throws -> String? {
                try dataset.string("\(perFrame).\(path)") ?? dataset.string("\(shared).\(path)")
            }
            guard let segment = try value("SegmentIdentificationSequence[0].ReferencedSegmentNumber").flatMap({ Int($0) }) else {
                throw DICOMError.missingAttribute(file: file, attribute: "ReferencedSegmentNumber of frame \(n + 1)")
            }
            guard let position = try value("PlanePositionSequence[0].ImagePositionPatient")?
                    .split(separator: "\\").compactMap({ Double($0.trimmingCharacters(in: .whitespaces)) }),
                  position.count == 3 else {
                throw DICOMError.missingAttribute(file: file, attribute: "ImagePositionPatient of frame \(n + 1)")
            }
            let source = try value("DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID") ?? ""
            var pixels = [UInt8](repeating: 0, count: Int(rows) * Int(columns))
            try check(cd_segmentation_frame(segmentation, Int64(n), &pixels, Int64(pixels.count)), "unpacking frame \(n + 1)")
            frames.append(DICOMSegmentationFrame(segmentNumber: segment, positionLPS: position,
                                                 sourceSOPInstanceUID: source, pixels: pixels))
        }
        return (Int(rows), Int(columns), frames)
    }
}
