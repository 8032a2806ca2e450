/// Which voxels are the features of the faithfulness metric.
public enum FaithfulnessSet: String, Sendable, Codable, CaseIterable {
    /// Every voxel of the crop (000_… §2.5, "iterating through all pixels of the image"); the default. Voxels
    /// already at the baseline (the masked background) keep the unperturbed probability without a forward but
    /// enter the correlation with their attribution.
    case crop
    /// Only the ICH ∪ PHE voxels (NeoICH's earlier set).
    case lesion
}
