import Imaging

/// Mean importance per region of one attribution map (000_… §2.4, Table 3): the map min-max normalised to
/// [0, 1] over the whole crop, then averaged within ICH, PHE and background.
public struct RegionImportance: Codable, Sendable, Equatable {
    /// Mean normalised importance over the ICH voxels (label 1); NaN when there are none.
    public var ich: Double
    /// Over the PHE voxels (label 2); NaN when there are none.
    public var phe: Double
    /// Over every other voxel of the crop; NaN when there are none.
    public var background: Double

    public init(ich: Double, phe: Double, background: Double) {
        self.ich = ich
        self.phe = phe
        self.background = background
    }

    /// The region means of `map` over `labels`.
    ///
    /// A constant map normalises to 0 everywhere (pytorch-grad-cam's `(v − min) / (max − min + ε)` gives the same).
    ///
    /// - Parameters:
    ///   - map: attribution values in (z, y, x) order, one per crop voxel.
    ///   - labels: the crop's label map (0 background, 1 ICH, 2 PHE) in the same order.
    /// - Throws: `ExplainError.invalidInput` for different lengths or non-finite values.
    public init(map: [Float], labels: [UInt8]) throws {
        guard map.count == labels.count, !map.isEmpty else {
            throw ExplainError.invalidInput("map of \(map.count) voxels for a label map of \(labels.count)")
        }
        guard map.allSatisfy(\.isFinite) else { throw ExplainError.invalidInput("the attribution map holds NaN or infinite values") }
        let low = Double(map.min() ?? 0), high = Double(map.max() ?? 0)
        let range = high - low
        var sums = [0.0, 0.0, 0.0], counts = [0, 0, 0]
        for (value, label) in zip(map, labels) {
            let region = label == LesionLabel.ich.rawValue ? 0 : label == LesionLabel.phe.rawValue ? 1 : 2
            sums[region] += range > 0 ? (Double(value) - low) / range : 0
            counts[region] += 1
        }
        let means = (0..<3).map { counts[$0] > 0 ? sums[$0] / Double(counts[$0]) : .nan }
        self.init(ich: means[0], phe: means[1], background: means[2])
    }

    /// The region means of a map volume over a label map on the same grid.
    ///
    /// - Throws: `ExplainError.invalidInput` when the shapes differ.
    public init(map: Volume<Float>, labels: LabelMap) throws {
        guard map.shape == labels.shape else {
            throw ExplainError.invalidInput("map shape \(map.shape) ≠ label map shape \(labels.shape)")
        }
        try self.init(map: map.voxels, labels: labels.voxels)
    }
}
