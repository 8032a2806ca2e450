import Foundation
import TestSupport
import Testing

/// `Fixtures/stats_reference.json`: inputs and SciPy / NumPy / scikit-learn outputs, written by
/// `scripts/fixtures/stats_fixtures.py`. JSON has no NaN: the script writes NaN as null.
struct StatsReference: Decodable {
    struct Versions: Decodable { let python, numpy, scipy, sklearn: String }

    struct DescriptiveCase: Decodable {
        let name: String
        let x: [Double]
        let mean, stdDdof0, median, iqr: Double
        let stdDdof1: Double?
        let probs, quantiles: [Double]
    }

    struct Grid: Decodable {
        let x: [Double]
        let cdf, sf: [Double]
    }

    struct Quantiles: Decodable {
        let p, ppf: [Double]
    }

    struct DistributionCase: Decodable {
        let df: Double
        let t, x: [Double]?
        let cdf, sf: [Double]
    }

    struct Distributions: Decodable {
        let normal: Grid
        let normalPpf: Quantiles
        let studentT: [DistributionCase]
        let chi2: [DistributionCase]
    }

    struct OneSample: Decodable {
        let name: String
        let x: [Double]
        let statistic, pvalue: Double
    }

    struct TwoSample: Decodable {
        let name: String
        let a, b: [Double]
        let statistic, pvalue, df: Double
    }

    struct MannWhitneyCase: Decodable {
        let name, method: String
        let x, y: [Double]
        let statistic, pvalue, pvalueAsymptotic: Double
        let pvalueAsymptoticNoContinuity: Double?
        /// SciPy's `method='exact'`, stored for the smaller cases only.
        let pvalueExact: Double?
    }

    struct WilcoxonCase: Decodable {
        let name, method: String
        let x, y: [Double]
        let statistic, pvalue, pvalueAsymptotic, zstatisticAsymptotic, pvalueAsymptoticCorrection: Double
        /// SciPy's `method='exact'` (nil when every difference is zero).
        let pvalueExact: Double?
    }

    struct ContingencyCase: Decodable {
        let name: String
        let table: [[Double]]
        let correction: Bool
        let statistic, pvalue: Double
        let dof: Int
        let expected: [[Double]]
    }

    struct GroupCase: Decodable {
        let name, test: String
        let a, b: [Double]
        let shapiroA, shapiroB, statistic, pvalue: Double
    }

    struct ThresholdCase: Decodable {
        let threshold, accuracy, sensitivity, specificity: Double
        let tp, fp, tn, fn: Int
    }

    struct ROCCase: Decodable {
        let name: String
        let labels: [Int]
        let scores: [Double]
        let fpr, tpr, thresholdsAfterInf: [Double]
        let fprAll, tprAll, thresholdsAllAfterInf: [Double]
        let auc, delongVariance: Double
        let delongCi95: [Double]
        let bestProduct, bestYouden: ThresholdCase

        var booleanLabels: [Bool] { labels.map { $0 == 1 } }
    }

    struct KDECase: Decodable {
        let x, grid, density: [Double]
        let bandwidth, factor: Double
    }

    struct HistogramCase: Decodable {
        let name: String
        let x, edges: [Double]
        let bins: Int
        let counts: [Int]
    }

    struct Generators: Decodable {
        let seed: UInt64
        let splitmix64, xoshiro256starstar: [String]
        let unitDoubleFromFirstXoshiro: Double
    }

    let versions: Versions
    let descriptive: [DescriptiveCase]
    let distributions: Distributions
    let shapiro: [OneSample]
    let ttestInd, ttestRel: [TwoSample]
    let mannwhitneyu: [MannWhitneyCase]
    let wilcoxon: [WilcoxonCase]
    let chi2Contingency: [ContingencyCase]
    let groupComparison: [GroupCase]
    let roc: [ROCCase]
    let kde: KDECase
    let histogram: [HistogramCase]
    let generators: Generators

    /// The decoded fixture (decoded once per test that asks; it is ~100 KB).
    static func load() throws -> StatsReference {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(
            StatsReference.self, from: Data(contentsOf: Fixture.url("stats_reference.json", in: .module)))
    }
}

extension Optional where Wrapped == Double {
    /// The fixture's null stands for NaN.
    var orNaN: Double { self ?? .nan }
}

/// The relative error |a − e| / |e| (absolute when e = 0), printed with a label when the environment
/// variable NEOICH_STATS_ERRORS is set, so that the worst error per function can be collected from a run:
/// `NEOICH_STATS_ERRORS=1 swift test 2>&1 | grep '^relerr'`.
func reportError(_ label: String, _ actual: Double, _ expected: Double) {
    guard ProcessInfo.processInfo.environment["NEOICH_STATS_ERRORS"] != nil else { return }
    let error: Double
    if actual == expected || (actual.isNaN && expected.isNaN) {
        error = 0
    } else {
        error = abs(actual - expected) / (expected == 0 ? 1 : abs(expected))
    }
    print("relerr \(label) \(error)")
}

/// `expectClose` that also reports the relative error under `label` (see `reportError`).
func expectReference(
    _ label: String, _ actual: Double, _ expected: Double, relative: Double = 1e-9, absolute: Double = 0,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    reportError(label, actual, expected)
    expectClose(actual, expected, absolute: absolute, relative: relative, label, sourceLocation: sourceLocation)
}
