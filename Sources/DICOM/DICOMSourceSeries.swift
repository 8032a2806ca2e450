import Foundation
import Imaging

/// The DICOM series a volume was converted from, kept next to the volume: patient, study and series identity,
/// frame of reference, the plane geometry, and for each volume slice the instance that lies on it.
///
/// `instances[k]` is the source image on slice k of `volumeGeometry` (NeoICH's z axis, the converted NIfTI's
/// third axis), found from positions and the volume's affine, never from file order.
public struct DICOMSourceSeries: Sendable, Equatable {
    public var patientStudy: DICOMPatientStudy
    public var seriesInstanceUID: String
    public var seriesNumber: Int?
    public var seriesDescription: String
    public var frameOfReferenceUID: String
    public var modality: String
    /// Rows and Columns of every instance.
    public var rows: Int
    public var columns: Int
    /// PixelSpacing: (spacing between rows, spacing between columns), mm.
    public var pixelSpacingMM: [Double]
    /// SliceThickness, mm (the spacing of the stack when the tag is absent).
    public var sliceThicknessMM: Double
    /// ImageOrientationPatient shared by the instances.
    public var orientation: [Double]
    /// The source instance of each volume slice, slice 0 first.
    public var instances: [DICOMSourceInstance]
    /// The grid of the converted volume (and of every label map written for it).
    public var volumeGeometry: VolumeGeometry

    /// The volume voxel (z, y, x) holding pixel (row, column) of slice k's source image.
    ///
    /// - Throws: `DICOMError.geometryMismatch` when the pixel is not on a voxel centre of the grid.
    public func voxelMapping(slice k: Int) throws -> SlicePixelMapping {
        try SlicePixelMapping(instance: instances[k], pixelSpacingMM: pixelSpacingMM, geometry: volumeGeometry,
                              rows: rows, columns: columns, slice: k)
    }
}
