/// Percentile bootstrap confidence intervals with an explicit seeded generator.
///
/// Randomness comes only from the generator passed in (e.g. `Xoshiro256StarStar(seed:)`), so a given
/// seed reproduces the interval exactly. The bounds are the type-7 quantiles α/2 and 1 − α/2 of the
/// replicates whose statistic is finite.
public enum Bootstrap {
    /// Options of the bootstrap.
    public struct Configuration: Sendable, Equatable {
        /// Number of resamples; 2000 (pROC's default `boot.n`).
        public var resamples: Int
        /// Confidence level in (0, 1); 0.95.
        public var confidenceLevel: Double
        /// For labelled data, resample positives and negatives separately so every replicate keeps the
        /// class sizes; `true` (pROC's default `boot.stratified = TRUE`).
        public var stratified: Bool

        /// A configuration; the defaults are documented on each property.
        public init(resamples: Int = 2000, confidenceLevel: Double = 0.95, stratified: Bool = true) {
            self.resamples = resamples
            self.confidenceLevel = confidenceLevel
            self.stratified = stratified
        }
    }

    /// A bootstrap interval.
    public struct Interval: Sendable, Equatable {
        /// The statistic on the original data.
        public let estimate: Double
        /// The lower percentile bound.
        public let lower: Double
        /// The upper percentile bound.
        public let upper: Double
        /// The confidence level.
        public let confidenceLevel: Double
        /// Replicates with a finite statistic (the others, e.g. an AUC of a one-class resample, are skipped).
        public let validResamples: Int
    }

    /// The interval of a statistic of one sample.
    ///
    /// - Parameters:
    ///   - sample: the data; resampled with replacement, same size.
    ///   - configuration: resamples and level (`stratified` does not apply).
    ///   - generator: the source of randomness, advanced by the call.
    ///   - statistic: the statistic, e.g. `{ try Descriptive.median($0) }`.
    /// - Returns: the interval; NaN bounds if no replicate was finite.
    /// - Throws: `StatsError.empty`, `StatsError.outOfDomain` for a bad configuration, and what `statistic`
    ///   throws.
    public static func interval<G: RandomNumberGenerator>(
        _ sample: [Double], configuration: Configuration = Configuration(), using generator: inout G,
        statistic: ([Double]) throws -> Double
    ) throws -> Interval {
        if sample.isEmpty { throw StatsError.empty(argument: "sample") }
        try check(configuration)
        let estimate = try statistic(sample)
        var replicates: [Double] = []
        replicates.reserveCapacity(configuration.resamples)
        for _ in 0..<configuration.resamples {
            let resample = (0..<sample.count).map { _ in sample[generator.index(below: sample.count)] }
            replicates.append(try statistic(resample))
        }
        return summarize(estimate, replicates, configuration.confidenceLevel)
    }

    /// The interval of a statistic of labelled scores (AUC, sensitivity at a threshold, …).
    ///
    /// - Parameters:
    ///   - labels: `true` for a positive case.
    ///   - scores: one score per case.
    ///   - configuration: resamples, level, stratification.
    ///   - generator: the source of randomness, advanced by the call.
    ///   - statistic: e.g. `{ try ROCCurve.areaUnderCurve(labels: $0, scores: $1) }`.
    /// - Throws: `StatsError.empty`, `StatsError.lengthMismatch`, `StatsError.outOfDomain`, and what
    ///   `statistic` throws.
    public static func interval<G: RandomNumberGenerator>(
        labels: [Bool], scores: [Double], configuration: Configuration = Configuration(), using generator: inout G,
        statistic: ([Bool], [Double]) throws -> Double
    ) throws -> Interval {
        if scores.isEmpty { throw StatsError.empty(argument: "scores") }
        try StatsError.checkPaired(labels.count, "labels", scores.count, "scores")
        try check(configuration)
        let estimate = try statistic(labels, scores)
        let strata: [[Int]] = configuration.stratified
            ? [labels.indices.filter { labels[$0] }, labels.indices.filter { !labels[$0] }].filter { !$0.isEmpty }
            : [Array(labels.indices)]
        var replicates: [Double] = []
        replicates.reserveCapacity(configuration.resamples)
        for _ in 0..<configuration.resamples {
            var indices: [Int] = []
            indices.reserveCapacity(labels.count)
            for stratum in strata {
                for _ in 0..<stratum.count { indices.append(stratum[generator.index(below: stratum.count)]) }
            }
            replicates.append(try statistic(indices.map { labels[$0] }, indices.map { scores[$0] }))
        }
        return summarize(estimate, replicates, configuration.confidenceLevel)
    }

    private static func check(_ configuration: Configuration) throws {
        guard configuration.resamples > 0 else {
            throw StatsError.outOfDomain(argument: "resamples", value: Double(configuration.resamples), expected: "> 0")
        }
        let level = configuration.confidenceLevel
        guard level > 0 && level < 1 else {
            throw StatsError.outOfDomain(argument: "confidenceLevel", value: level, expected: "in (0, 1)")
        }
    }

    private static func summarize(_ estimate: Double, _ replicates: [Double], _ level: Double) -> Interval {
        let finite = replicates.filter(\.isFinite).sorted()
        guard !finite.isEmpty else {
            return Interval(estimate: estimate, lower: .nan, upper: .nan, confidenceLevel: level, validResamples: 0)
        }
        let alpha = 1 - level
        let bounds = Descriptive.quantilesOfSorted(finite, [alpha / 2, 1 - alpha / 2])
        return Interval(estimate: estimate, lower: bounds[0], upper: bounds[1], confidenceLevel: level,
                        validResamples: finite.count)
    }
}
