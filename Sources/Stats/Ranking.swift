/// Average ("mid") ranks of a sample and the sizes of its tie groups, as SciPy's `rankdata(method='average')`.
struct Ranking {
    /// 1-based ranks in the order of the input; tied values share the mean of their positions.
    let ranks: [Double]
    /// The size of every group of equal values (1 for an untied value), smallest value first.
    let tieGroupSizes: [Int]

    init(_ values: [Double]) {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var groups: [Int] = []
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && values[order[end]] == values[order[start]] { end += 1 }
            // Positions start+1 … end share the mean rank.
            let rank = Double(start + 1 + end) / 2
            for position in start..<end { ranks[order[position]] = rank }
            groups.append(end - start)
            start = end
        }
        self.ranks = ranks
        self.tieGroupSizes = groups
    }

    /// Σ (t³ − t) over the tie groups: the tie correction of the rank tests' variances.
    var tieTerm: Double {
        tieGroupSizes.reduce(0.0) { sum, t in
            let t = Double(t)
            return sum + (t * t * t - t)
        }
    }

    /// Whether any two values are equal.
    var hasTies: Bool { tieGroupSizes.contains { $0 > 1 } }
}
