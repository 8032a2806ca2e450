import Foundation
import Output

/// What `neoich info FILE` prints about an image: grid, geometry, storage and value range.
public struct VolumeInfo: Sendable, Codable, Equatable {
    /// The file described.
    public var file: String
    /// NIfTI-1 or NIfTI-2.
    public var format: NIfTIFormat
    /// Whether the file is gzip-compressed.
    public var compressed: Bool
    /// Stored datatype ("int16", "float32", …).
    public var datatype: String
    /// Grid size, (z, y, x).
    public var shape: VolumeShape
    /// Voxel spacing in mm, (z, y, x).
    public var spacingMM: SpacingMM
    /// Orientation code of the voxel axes (x, y, z), e.g. "RAS", "LPS" (nibabel's `aff2axcodes`).
    public var orientation: String
    /// The transform in force, voxel (i, j, k) → world mm.
    public var affine: Affine
    /// Where `affine` comes from: "sform", "qform" or "pixdim".
    public var affineSource: String
    /// Why the header's sform or qform was not used (non-finite, singular), or `nil`.
    public var affineFallback: String?
    /// NIfTI `qform_code`.
    public var qformCode: Int
    /// NIfTI `sform_code`.
    public var sformCode: Int
    /// Header `scl_slope` as stored.
    public var sclSlope: Double
    /// Header `scl_inter` as stored.
    public var sclInter: Double
    /// Smallest voxel value after scaling (HU for CT).
    public var minimum: Double
    /// Largest voxel value after scaling (HU for CT).
    public var maximum: Double

    /// The human-readable rendering (one field per line).
    public var text: String {
        func number(_ value: Double) -> String { String(format: "%.6g", value) }
        var lines = [
            "file         \(file)",
            "format       \(format.rawValue)\(compressed ? " (gzip)" : "")",
            "datatype     \(datatype)  scl_slope \(number(sclSlope))  scl_inter \(number(sclInter))",
            "shape        \(shape.z) × \(shape.y) × \(shape.x)  (z × y × x)",
            "spacing      \(number(spacingMM.z)) × \(number(spacingMM.y)) × \(number(spacingMM.x)) mm  (z × y × x)",
            "orientation  \(orientation)  (voxel axes x, y, z)",
            "affine       \(affineSource) (qform_code \(qformCode), sform_code \(sformCode))",
        ]
        if let affineFallback { lines.append("             \(affineFallback)") }
        for row in affine.rows {
            lines.append("             [" + row.map { String(format: "%10.4f", $0) }.joined(separator: " ") + " ]")
        }
        lines.append("range        \(number(minimum)) … \(number(maximum))")
        return lines.joined(separator: "\n")
    }

    /// The JSON rendering (`--json`): pretty-printed, keys sorted.
    public func json() throws -> String {
        String(decoding: try JSONFile.data(self, escapingSlashes: false), as: UTF8.self)
    }
}
