import Foundation

/// Intensity statistics of the foreground (every labelled voxel, pooled over the dataset), as nnU-Net's
/// `foreground_intensity_properties_per_channel`.
public struct ForegroundIntensityProperties: Codable, Sendable, Equatable {
    public var mean: Double
    public var median: Double
    /// Population standard deviation (NumPy's `np.std`).
    public var std: Double
    public var min: Double
    public var max: Double
    /// 0.5th percentile, NumPy's linear interpolation.
    public var percentile00_5: Double
    /// 99.5th percentile, NumPy's linear interpolation.
    public var percentile99_5: Double

    public init(mean: Double, median: Double, std: Double, min: Double, max: Double,
                percentile00_5: Double, percentile99_5: Double) {
        self.mean = mean
        self.median = median
        self.std = std
        self.min = min
        self.max = max
        self.percentile00_5 = percentile00_5
        self.percentile99_5 = percentile99_5
    }

    /// The statistics of `values`, or `nil` when there are none.
    public init?(values: [Float]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        var sum = 0.0
        for v in sorted { sum += Double(v) }
        let mean = sum / Double(sorted.count)
        var squares = 0.0
        for v in sorted { squares += (Double(v) - mean) * (Double(v) - mean) }
        self.init(mean: mean, median: Self.percentile(sorted, 50), std: (squares / Double(sorted.count)).squareRoot(),
                  min: Double(sorted[0]), max: Double(sorted[sorted.count - 1]),
                  percentile00_5: Self.percentile(sorted, 0.5), percentile99_5: Self.percentile(sorted, 99.5))
    }

    /// NumPy's default (linear) percentile of ascending `sorted` values.
    static func percentile(_ sorted: [Float], _ q: Double) -> Double {
        let position = q / 100 * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down)), upper = Swift.min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return Double(sorted[lower]) + fraction * (Double(sorted[upper]) - Double(sorted[lower]))
    }
}
