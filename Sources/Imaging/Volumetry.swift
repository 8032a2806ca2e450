/// Volumes and densities of one lesion (an ICH component and the PHE assigned to it).
public struct LesionMeasurement: Sendable, Codable, Equatable {
    /// The ICH component id (`ConnectedComponents` numbering).
    public var id: Int
    /// Whether this lesion has the largest ICH volume.
    public var isLargest: Bool
    /// ICH centroid in world mm.
    public var centroidWorldMM: WorldPointMM
    /// The lesion's ICH.
    public var ich: RegionStatistics
    /// The PHE assigned to the lesion (`LesionAssignment`).
    public var phe: RegionStatistics
    /// ABC/2 of the lesion's ICH.
    public var abcOver2: ABCOver2?
    /// PHE volume / ICH volume; `nil` when there is no ICH.
    public var pheToICHRatio: Double?
}

/// Volumes and densities of a segmented scan: per region (all ICH, all PHE) and per lesion.
public struct VolumetryReport: Sendable, Codable, Equatable {
    /// All ICH voxels.
    public var ich: RegionStatistics
    /// All PHE voxels.
    public var phe: RegionStatistics
    /// ABC/2 of all ICH voxels taken as one object (meaningful for a single hematoma; see `lesions`).
    public var ichABCOver2: ABCOver2?
    /// Total PHE volume / total ICH volume; `nil` without ICH.
    public var pheToICHRatio: Double?
    /// Per ICH component, largest first.
    public var lesions: [LesionMeasurement]
    /// PHE not connected through edema to any ICH, mL.
    public var unassignedPHEVolumeML: Double
}

/// Measures ICH and PHE on a scan and its label map.
public enum Volumetry {
    /// Region and per-lesion volumes (mL), ABC/2, HU statistics and the PHE/ICH ratio.
    ///
    /// - Parameters:
    ///   - image: the scan in HU.
    ///   - labels: its label map on the same grid.
    ///   - connectivity: neighbourhood defining ICH lesions.
    /// - Throws: `ImagingError.geometryMismatch` / `.invalidLabelValues` when the label map does not fit.
    public static func measure(image: Volume<Float>, labels: LabelMap,
                               connectivity: Connectivity = .full26) throws -> VolumetryReport {
        try labels.validateLabels(on: image.geometry, file: "label map")
        let assignment = LesionAssignment(labels: labels, connectivity: connectivity)
        let lesionCount = assignment.lesions.components.count
        var ichValues: [Float] = [], pheValues: [Float] = [], ichOffsets: [Int] = []
        var lesionICH = [[Float]](repeating: [], count: lesionCount)
        var lesionPHE = [[Float]](repeating: [], count: lesionCount)
        var lesionOffsets = [[Int]](repeating: [], count: lesionCount)
        image.withUnsafeVoxels { hu in
            labels.withUnsafeVoxels { label in
                for i in 0..<hu.count where label[i] != 0 {
                    let owner = Int(assignment.owner[i])
                    if label[i] == LesionLabel.ich.rawValue {
                        ichValues.append(hu[i])
                        ichOffsets.append(i)
                        lesionICH[owner - 1].append(hu[i])
                        lesionOffsets[owner - 1].append(i)
                    } else {
                        pheValues.append(hu[i])
                        if owner > 0 { lesionPHE[owner - 1].append(hu[i]) }
                    }
                }
            }
        }
        let voxelML = image.spacingMM.voxelVolumeML
        let largestID = assignment.lesions.largest?.id
        let lesions = assignment.lesions.components.map { component -> LesionMeasurement in
            let ich = RegionStatistics(values: lesionICH[component.id - 1], voxelML: voxelML)
            let phe = RegionStatistics(values: lesionPHE[component.id - 1], voxelML: voxelML)
            return LesionMeasurement(
                id: component.id, isLargest: component.id == largestID, centroidWorldMM: component.centroidWorldMM,
                ich: ich, phe: phe,
                abcOver2: ABCOver2(offsets: lesionOffsets[component.id - 1], shape: image.shape, spacingMM: image.spacingMM),
                pheToICHRatio: ich.volumeML > 0 ? phe.volumeML / ich.volumeML : nil)
        }.sorted { $0.ich.voxelCount > $1.ich.voxelCount || ($0.ich.voxelCount == $1.ich.voxelCount && $0.id < $1.id) }
        let ich = RegionStatistics(values: ichValues, voxelML: voxelML)
        let phe = RegionStatistics(values: pheValues, voxelML: voxelML)
        return VolumetryReport(
            ich: ich, phe: phe,
            ichABCOver2: ABCOver2(offsets: ichOffsets, shape: image.shape, spacingMM: image.spacingMM),
            pheToICHRatio: ich.volumeML > 0 ? phe.volumeML / ich.volumeML : nil,
            lesions: lesions, unassignedPHEVolumeML: Double(assignment.unassignedPHEVoxels) * voxelML)
    }
}
