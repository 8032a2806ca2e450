/// Equal-width bins as NumPy's `np.histogram(values, bins=count)`: edges from the minimum to the maximum
/// (±0.5 around a single repeated value), every bin half-open except the last, which includes its right edge.
struct HistogramBins: Equatable {
    /// count + 1 increasing edges.
    let edges: [Double]

    /// Bins spanning [lower, upper].
    init(lower: Double, upper: Double, count: Int) {
        var (first, last) = (lower, upper)
        if first == last { (first, last) = (first - 0.5, last + 0.5) }
        let step = (last - first) / Double(count)
        edges = (0...count).map { $0 == count ? last : first + Double($0) * step }
    }

    /// How many of `values` fall in each bin; values outside the edges are not counted.
    func counts(_ values: [Double]) -> [Int] {
        let count = edges.count - 1
        var counts = [Int](repeating: 0, count: count)
        guard let first = edges.first, let last = edges.last else { return counts }
        for value in values where value >= first && value <= last {
            var index = min(count - 1, Int((value - first) / (last - first) * Double(count)))
            // Rounding in the division can land one bin off; the edges decide (NumPy does the same).
            if value < edges[index] { index -= 1 }
            if index < count - 1 && value >= edges[index + 1] { index += 1 }
            counts[index] += 1
        }
        return counts
    }
}
