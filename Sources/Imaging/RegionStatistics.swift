/// Size and density of one region (ICH or PHE, whole scan or one lesion).
public struct RegionStatistics: Sendable, Codable, Equatable {
    /// Number of voxels.
    public var voxelCount: Int
    /// Volume in mL (voxel count × voxel volume).
    public var volumeML: Double
    /// Mean HU; `nil` for an empty region.
    public var meanHU: Double?
    /// Median HU (mean of the two middle values for an even count, as NumPy); `nil` when empty.
    public var medianHU: Double?
    /// Sample standard deviation of HU (n − 1, as SPSS and pandas report it); `nil` below 2 voxels.
    public var sdHU: Double?
    /// Smallest HU; `nil` when empty.
    public var minimumHU: Double?
    /// Largest HU; `nil` when empty.
    public var maximumHU: Double?

    /// Statistics of `values` (HU) for voxels of volume `voxelML` each.
    public init(values: [Float], voxelML: Double) {
        voxelCount = values.count
        volumeML = Double(values.count) * voxelML
        guard !values.isEmpty else { return }
        let sorted = values.sorted()
        let n = sorted.count
        var sum = 0.0
        for v in sorted { sum += Double(v) }
        let mean = sum / Double(n)
        meanHU = mean
        medianHU = n % 2 == 1 ? Double(sorted[n / 2]) : (Double(sorted[n / 2 - 1]) + Double(sorted[n / 2])) / 2
        minimumHU = Double(sorted[0])
        maximumHU = Double(sorted[n - 1])
        if n > 1 {
            var squares = 0.0
            for v in sorted { squares += (Double(v) - mean) * (Double(v) - mean) }
            sdHU = (squares / Double(n - 1)).squareRoot()
        }
    }
}
