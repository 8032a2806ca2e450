/// How lesion crops are made.
public struct LesionCropConfiguration: Sendable, Codable {
    /// Which voxels of the box keep their HU.
    public enum Masking: String, Sendable, Codable {
        /// Only this lesion's ICH and the PHE assigned to it (`LesionAssignment`); other lesions are zeroed.
        case lesion
        /// Every ICH∪PHE voxel in the box, whichever lesion it belongs to (001_… §2.5 literally).
        case allLesions
    }

    /// Crop size (z, y, x). 001_… §2.5: 200×200×20 (x×y×z), chosen to hold the largest lesions.
    public var size: VolumeShape
    /// ICH components smaller than this get no crop (NeoICH default 0.1 mL, against speckle in predicted
    /// masks); the largest lesion always gets one.
    public var minimumICHVolumeML: Double
    /// Neighbourhood that defines an ICH lesion.
    public var connectivity: Connectivity
    /// See `Masking`.
    public var masking: Masking

    public init(size: VolumeShape = VolumeShape(z: 20, y: 200, x: 200), minimumICHVolumeML: Double = 0.1,
                connectivity: Connectivity = .full26, masking: Masking = .lesion) {
        self.size = size
        self.minimumICHVolumeML = minimumICHVolumeML
        self.connectivity = connectivity
        self.masking = masking
    }
}

/// Makes the classifier's lesion crops from a scan and its label map.
public enum LesionCropper {
    /// One crop per ICH lesion at or above the minimum volume (and always the largest), largest first.
    ///
    /// The box is centred on the ICH centroid rounded to the nearest voxel `c`: it covers `c − size/2 …
    /// c − size/2 + size − 1` on each axis (integer division), so for even sizes the centre voxel sits at
    /// index `size/2` of the crop. Parts of the box outside the scan are 0.
    ///
    /// - Parameters:
    ///   - image: the scan in HU.
    ///   - labels: its label map (0 background, 1 ICH, 2 PHE) on the same grid.
    ///   - configuration: size, minimum volume, connectivity, masking.
    /// - Returns: the crops; empty when the label map has no ICH.
    /// - Throws: `ImagingError.geometryMismatch` / `.invalidLabelValues` for a label map that does not fit
    ///   the image, `.invalidArgument` for a non-positive crop size.
    public static func crops(image: Volume<Float>, labels: LabelMap,
                             configuration: LesionCropConfiguration = LesionCropConfiguration()) throws -> [LesionCrop] {
        let size = configuration.size
        guard size.z > 0, size.y > 0, size.x > 0 else {
            throw ImagingError.invalidArgument(detail: "crop size \(size) must be positive")
        }
        try labels.validateLabels(on: image.geometry, file: "label map")
        let assignment = LesionAssignment(labels: labels, connectivity: configuration.connectivity)
        guard let largest = assignment.lesions.largest else { return [] }
        let chosen = assignment.lesions.components
            .filter { $0.id == largest.id || $0.volumeML >= configuration.minimumICHVolumeML }
            .sorted { $0.voxelCount > $1.voxelCount || ($0.voxelCount == $1.voxelCount && $0.id < $1.id) }
        let voxelML = image.spacingMM.voxelVolumeML
        return chosen.map { lesion in
            let centre = lesion.centroidVoxel
            let origin = VoxelIndex(
                z: Int(centre.z.rounded()) - size.z / 2, y: Int(centre.y.rounded()) - size.y / 2,
                x: Int(centre.x.rounded()) - size.x / 2)
            let geometry = image.geometry.subgrid(origin: origin, shape: size)
            var masked = Volume<Float>(geometry: image.geometry)
            var lesionLabels = LabelMap(geometry: image.geometry)
            let id = Int32(lesion.id)
            image.withUnsafeVoxels { hu in
                labels.withUnsafeVoxels { label in
                    masked.withUnsafeMutableVoxels { out in
                        lesionLabels.withUnsafeMutableVoxels { outLabels in
                            for i in 0..<hu.count where label[i] != 0 {
                                let keep = configuration.masking == .allLesions || assignment.owner[i] == id
                                if keep && label[i] <= LesionLabel.phe.rawValue {
                                    out[i] = hu[i]
                                    outLabels[i] = label[i]
                                }
                            }
                        }
                    }
                }
            }
            var cropImage = Volume<Float>(geometry: geometry)
            var cropLabels = LabelMap(geometry: geometry)
            LesionCrop.copyOverlap(from: masked, origin: origin, into: &cropImage)
            LesionCrop.copyOverlap(from: lesionLabels, origin: origin, into: &cropLabels)
            return LesionCrop(
                lesion: lesion, pheVolumeML: Double(assignment.pheVoxelCounts[lesion.id - 1]) * voxelML,
                isLargest: lesion.id == largest.id, origin: origin, scanGeometry: image.geometry,
                image: cropImage, labels: cropLabels)
        }
    }
}
