import Foundation
import NN
import Output
import Stats

/// A small grid search with k-fold cross-validation (001_… §2.7 tuned lr, batch size and more before settling on
/// its recipe). Folds are stratified by class and seeded; each grid point is scored by the mean validation AUC.
public enum HyperparameterSearch {
    public struct Grid: Codable, Sendable {
        public var learningRates: [Double] = [0.000296, 0.001]
        public var batchSizes: [Int] = [8, 16]
        public var widths: [Int] = [8, 16]
        public var folds = 3
        public init() {}
    }

    public struct Point: Codable, Sendable {
        public var learningRate: Double
        public var batchSize: Int
        public var width: Int
        public var foldAUCs: [Double]
        public var meanAUC: Double
    }

    /// Stratified fold assignment: fold index per sample.
    public static func folds(_ samples: [ClassificationSample], k: Int, seed: UInt64) -> [Int] {
        var rng = Xoshiro256StarStar(seed: seed)
        var assignment = [Int](repeating: 0, count: samples.count)
        for positive in [true, false] {
            let indices = samples.indices.filter { samples[$0].positive == positive }.shuffled(using: &rng)
            for (rank, index) in indices.enumerated() { assignment[index] = rank % k }
        }
        return assignment
    }

    /// Trains every grid point on k − 1 folds and scores it on the remaining fold; returns the grid sorted by mean AUC.
    public static func run(samples: [ClassificationSample], base: ClassifierModelCard, training: ClassifierTrainingConfiguration,
                           grid: Grid, progress: ProgressReporter.Style? = nil, device: Device = .cpu) throws -> [Point] {
        guard grid.folds >= 2 else { throw ClassificationError.invalidArgument("cross-validation needs at least 2 folds") }
        let assignment = folds(samples, k: grid.folds, seed: training.seed)
        var points: [Point] = []
        let total = grid.learningRates.count * grid.batchSizes.count * grid.widths.count * grid.folds
        let reporter = ProgressReporter(total: total, label: "search", style: progress)
        for lr in grid.learningRates {
            for batch in grid.batchSizes {
                for width in grid.widths {
                    var aucs: [Double] = []
                    for fold in 0..<grid.folds {
                        let train = samples.indices.filter { assignment[$0] != fold }.map { samples[$0] }
                        let validation = samples.indices.filter { assignment[$0] == fold }.map { samples[$0] }
                        var card = base
                        card.architecture.width = width
                        let model = try ClassifierModel(card: card, seed: training.seed)
                        try model.move(to: device)
                        var configuration = training
                        configuration.learningRate = lr
                        configuration.batchSize = min(batch, train.count)
                        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neoich-search-\(UUID().uuidString)")
                        defer { try? FileManager.default.removeItem(at: directory) }
                        let trainer = ClassifierTrainer(model: model, configuration: configuration, outputDirectory: directory)
                        trainer.progressStyle = .silent
                        try trainer.train(training: train, validation: [])
                        let scores = try ClassifierEvaluator.scores(model, validation)
                        aucs.append(try ROCCurve.areaUnderCurve(labels: validation.map(\.positive), scores: scores))
                        reporter.advance(detail: String(format: "lr %g batch %d width %d fold %d", lr, batch, width, fold + 1))
                    }
                    points.append(Point(learningRate: lr, batchSize: batch, width: width, foldAUCs: aucs,
                                        meanAUC: aucs.reduce(0, +) / Double(aucs.count)))
                }
            }
        }
        reporter.finish()
        return points.sorted { $0.meanAUC > $1.meanAUC }
    }
}
