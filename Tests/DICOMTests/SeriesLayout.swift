/// Ways a CT series can be stacked and stored, for the geometry tests.
enum SeriesLayout: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Axial, head first: positions rise with the instance number.
    case headFirst
    /// Axial, feet first: rows run right to left, positions fall with the instance number.
    case feetFirst
    /// Head first, but files and instance numbers run against the stacking order.
    case reversedFileOrder
    /// Coronal images stacked anterior to posterior.
    case coronal

    var description: String { rawValue }

    var series: SyntheticCTSeries {
        var s = SyntheticCTSeries()
        switch self {
        case .headFirst: break
        case .feetFirst:
            s.orientation = [-1, 0, 0, 0, 1, 0]
            (s.origin, s.step) = ([2, -3, 17.5], [0, 0, -2.5])
        case .reversedFileOrder: s.reverseFileNames = true
        case .coronal:
            s.orientation = [1, 0, 0, 0, 0, -1]
            (s.origin, s.step) = ([-2, -8, 20], [0, 2.5, 0])
        }
        return s
    }
}
