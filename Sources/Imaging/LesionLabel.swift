/// The classes of a NeoICH label map (nnU-Net `dataset.json` labels: background 0, ICH 1, PHE 2).
public enum LesionLabel: UInt8, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// Everything that is neither hemorrhage nor edema.
    case background = 0
    /// Intracerebral hemorrhage.
    case ich = 1
    /// Perihematomal edema.
    case phe = 2

    /// The name used in `dataset.json` ("background", "ICH", "PHE").
    public var name: String {
        switch self {
        case .background: "background"
        case .ich: "ICH"
        case .phe: "PHE"
        }
    }

    public var description: String { name }
}

/// A label map: one `LesionLabel` raw value per voxel, on the grid of the scan it segments.
public typealias LabelMap = Volume<UInt8>

extension Volume where Voxel == UInt8 {
    /// The voxel values that are not a `LesionLabel` (sorted), empty for a valid label map.
    public var invalidLabelValues: [UInt8] {
        withUnsafeVoxels { v in
            var seen = [Bool](repeating: false, count: 256)
            for value in v { seen[Int(value)] = true }
            return (3..<256).filter { seen[$0] }.map { UInt8($0) }
        }
    }

    /// Checks that this label map holds only {0, 1, 2} and lies on the grid of `image`.
    ///
    /// - Parameters:
    ///   - image: the geometry of the scan it segments.
    ///   - file: the label map's file (or a name), for the error.
    /// - Throws: `ImagingError.invalidLabelValues` or `ImagingError.geometryMismatch`.
    public func validateLabels(on image: VolumeGeometry, file: String) throws {
        let bad = invalidLabelValues
        if !bad.isEmpty { throw ImagingError.invalidLabelValues(file: file, values: bad) }
        if let problem = image.mismatch(with: geometry) {
            throw ImagingError.geometryMismatch(file: file, detail: problem)
        }
    }
}
