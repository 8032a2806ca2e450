import Foundation
@testable import Imaging
import NN
import Stats
import Testing
import TestSupport
@testable import Classification

/// Small crops whose class is carried by the lesion's density and the size of its rim, with overlap.
enum ToyCrops {
    static let shape = VolumeShape(z: 4, y: 16, x: 16)

    static func card(width: Int = 4) -> ClassifierModelCard {
        ClassifierModelCard(
            name: "toy", architecture: ResNet3DConfiguration(block: .basic, layers: [1, 1, 1, 1], width: width,
                                                            stemKernel: [3, 3, 3], stemStride: [1, 1, 1], maxPool: false),
            cropSize: shape)
    }

    /// A fine-tuning configuration; what is not given keeps `FineTuning.Configuration`'s default.
    static func fineTuning(cases: Int? = nil, epochs: Int, learningRate: Double? = nil, batchSize: Int? = nil, seed: UInt64? = nil,
                           stages: Int = 0) -> FineTuning.Configuration {
        var configuration = FineTuning.Configuration()
        configuration.epochs = epochs
        configuration.stages = stages
        if let cases { configuration.cases = cases }
        if let learningRate { configuration.learningRate = learningRate }
        if let batchSize { configuration.batchSize = batchSize }
        if let seed { configuration.seed = seed }
        return configuration
    }

    static func samples(_ n: Int, seed: UInt64) throws -> [ClassificationSample] {
        var rng = Xoshiro256StarStar(seed: seed)
        return try (0..<n).map { k in
            let positive = k % 2 == 0
            // Neoplastic: less dense core (0.55 vs 0.75 normalised) and a wider rim; both with noise.
            let core = (positive ? 0.55 : 0.75) + Double.random(in: -0.12...0.12, using: &rng)
            let rim = positive ? Double.random(in: 2.5...5, using: &rng) : Double.random(in: 1...3.5, using: &rng)
            var values = [Float](repeating: 0, count: shape.count)
            for z in 0..<4 { for y in 0..<16 { for x in 0..<16 {
                let d = ((Double(y) - 7.5) * (Double(y) - 7.5) + (Double(x) - 7.5) * (Double(x) - 7.5)).squareRoot()
                let i = (z * 16 + y) * 16 + x
                if d < 3 { values[i] = Float(core) } else if d < 3 + rim { values[i] = 0.2 }
            } } }
            let input = try Tensor(values, shape: [1, 4, 16, 16]).to(.float16)
            return ClassificationSample(caseID: "toy_\(k)", positive: positive, centre: "A", split: "train", subtype: positive ? "metastasis" : "hypertensive",
                                        storedInput: input, hasLesion: true, ichVolumeML: 1, pheVolumeML: rim)
        }
    }
}

@Suite("Classifier training")
struct ClassifierTrainingTests {
    @Test func learnsASeparableSignalAndKeepsTheBestCheckpoint() throws {
        let dir = try TemporaryDirectory()
        let training = try ToyCrops.samples(48, seed: 1), validation = try ToyCrops.samples(24, seed: 2)
        let model = try ClassifierModel(card: ToyCrops.card(), seed: 3)
        let before = try ROCCurve.areaUnderCurve(labels: validation.map(\.positive), scores: ClassifierEvaluator.scores(model, validation))
        var configuration = ClassifierTrainingConfiguration()
        configuration.epochs = 12
        configuration.batchSize = 8
        configuration.learningRate = 3e-3
        configuration.augmentation = .none
        let trainer = ClassifierTrainer(model: model, configuration: configuration, outputDirectory: dir.url)
        trainer.progressStyle = .silent
        let history = try trainer.train(training: training, validation: validation)
        #expect(history.count == 12)
        #expect(history.last!.trainingLoss < history.first!.trainingLoss)
        let best = try #require(history.compactMap(\.validationAUC).max())
        #expect(best > 0.9, "validation AUC \(best), before training \(before)")
        let reloaded = try ClassifierModel.load(from: dir.url.appendingPathComponent("best"))
        expectClose(reloaded.card.metrics["validation AUC"] ?? 0, best)
        let auc = try ROCCurve.areaUnderCurve(labels: validation.map(\.positive), scores: ClassifierEvaluator.scores(reloaded, validation))
        expectClose(auc, best, absolute: 1e-9)
    }

    @Test func anInterruptedRunResumesToTheSameWeights() throws {
        let training = try ToyCrops.samples(16, seed: 4)
        var configuration = ClassifierTrainingConfiguration()
        configuration.epochs = 3
        configuration.batchSize = 4
        configuration.learningRate = 1e-3
        configuration.augmentation = .none
        configuration.seed = 9
        let straightDir = try TemporaryDirectory(), resumedDir = try TemporaryDirectory()
        let straight = try ClassifierModel(card: ToyCrops.card(), seed: 5)
        let s = ClassifierTrainer(model: straight, configuration: configuration, outputDirectory: straightDir.url)
        s.progressStyle = .silent
        try s.train(training: training, validation: [])

        var interrupted = configuration
        interrupted.maximumIterations = 4 * 2  // stops after two of three epochs
        let first = try ClassifierModel(card: ToyCrops.card(), seed: 5)
        let a = ClassifierTrainer(model: first, configuration: interrupted, outputDirectory: resumedDir.url)
        a.progressStyle = .silent
        try a.train(training: training, validation: [])
        let second = try ClassifierModel(card: ToyCrops.card(), seed: 77)  // different initial weights: all must come from the checkpoint
        let b = ClassifierTrainer(model: second, configuration: configuration, outputDirectory: resumedDir.url)
        b.progressStyle = .silent
        let history = try b.train(training: training, validation: [], resume: true)
        #expect(history.count == 3)
        for ((name, x), (_, y)) in zip(straight.network.stateDict(), second.network.stateDict()) {
            expectClose(try x.scalars(as: Double.self), try y.scalars(as: Double.self), absolute: 1e-6, relative: 1e-5, name)
        }
    }

    @Test func balancedBatchesHoldHalfOfEachClass() throws {
        let samples = try ToyCrops.samples(10, seed: 1).enumerated().map { i, s in
            var s = s
            s.positive = i < 2  // 2 positives, 8 negatives
            return s
        }
        var rng = Xoshiro256StarStar(seed: 3)
        let balanced = ClassifierTrainer.batches(samples, size: 4, balanced: true, using: &rng)
        #expect(balanced.count == 2)
        for batch in balanced { #expect(batch.filter(\.positive).count == 2) }
        let plain = ClassifierTrainer.batches(samples, size: 5, balanced: false, using: &rng)
        #expect(Set(plain.flatMap { $0.map(\.caseID) }).count == 10)
    }

    @Test func rejectsSingleClassTraining() throws {
        let samples = try ToyCrops.samples(6, seed: 1).filter(\.positive)
        let trainer = ClassifierTrainer(model: try ClassifierModel(card: ToyCrops.card(), seed: 1),
                                        configuration: ClassifierTrainingConfiguration(), outputDirectory: try TemporaryDirectory().url)
        #expect(throws: ClassificationError.self) { try trainer.train(training: samples, validation: []) }
    }

    @Test func fineTuningChangesOnlyTheLastLayerAndLeavesBatchNormStatisticsAlone() throws {
        let model = try ClassifierModel(card: ToyCrops.card(), seed: 3)
        let before = Dictionary(uniqueKeysWithValues: try model.network.stateDict().map { ($0.name, try $0.tensor.clone()) })
        let configuration = ToyCrops.fineTuning(cases: 6, epochs: 3, learningRate: 1e-2)
        let result = try FineTuning.run(model: model, internalTest: ToyCrops.samples(8, seed: 5), external: ToyCrops.samples(14, seed: 6),
                                        configuration: configuration, progress: .silent)
        #expect(result.fineTuningCases.count == 6)
        #expect(result.externalBefore.cases == 8)
        for (name, tensor) in model.network.stateDict() {
            let unchanged = try tensor.equals(#require(before[name]))
            if name.hasPrefix("fc.") { #expect(!unchanged, "\(name) should be trained") } else { #expect(unchanged, "\(name) should stay frozen") }
        }
        #expect(model.network.trainableParameters.count == model.network.parameters.count, "unfrozen afterwards")
        let table = ClassifierEvaluator.table([result.internalReport, result.externalBefore, result.externalAfter])
        #expect(table.contains("external after fine-tuning"))
        // The fine-tuned model's threshold is chosen on its fine-tuning cases (sensitivity × specificity) and
        // written into its card; the rows before fine-tuning keep the development threshold.
        let development = ToyCrops.card().threshold
        #expect(result.internalReport.threshold == development && result.externalBefore.threshold == development)
        #expect(result.externalAfter.thresholdSource.hasPrefix("chosen on the 6 fine-tuning cases"))
        #expect(model.card.threshold == result.externalAfter.threshold)
    }

    /// `FineTuning.repeated`: each draw fine-tunes a fresh model on its own seeded choice of cases; "before" is the
    /// original model's AUC on exactly that draw's held-out cases.
    @Test func repeatedDrawsArePairedAndIndependent() throws {
        var loads = 0
        let load = { () throws -> ClassifierModel in loads += 1; return try ClassifierModel(card: ToyCrops.card(), seed: 3) }
        let external = try ToyCrops.samples(16, seed: 6)
        let configuration = ToyCrops.fineTuning(cases: 6, epochs: 2, learningRate: 1e-2, seed: 40)
        var reported: [Int] = []
        let draws = try FineTuning.repeated(load: load, external: external, configuration: configuration, draws: 3,
                                            prepared: { reported.append(0) }) { k, _ in reported.append(k) }
        #expect(loads == 4 && reported == [0, 1, 2, 3])
        #expect(draws.map(\.seed) == [40, 41, 42])
        #expect(Set(draws.map(\.fineTuningCases)).count > 1, "each draw picks its own cases")
        let original = try ClassifierModel(card: ToyCrops.card(), seed: 3)
        let scores = Dictionary(uniqueKeysWithValues: zip(external.map(\.caseID), try ClassifierEvaluator.scores(original, external)))
        for draw in draws {
            #expect(draw.fineTuningCases.count == 6 && draw.heldOutCases == 10)
            let heldOut = external.filter { !draw.fineTuningCases.contains($0.caseID) }
            let before = try ROCCurve.areaUnderCurve(labels: heldOut.map(\.positive), scores: heldOut.map { scores[$0.caseID]! })
            expectClose(draw.aucBefore, before, absolute: 1e-12)
        }
        #expect(throws: ClassificationError.self) { try FineTuning.repeated(load: load, external: external, configuration: configuration, draws: 0) }
    }

    @Test func drawSummaryByHand() {
        func draw(_ before: Double, _ after: Double) -> FineTuning.Draw {
            FineTuning.Draw(seed: 0, fineTuningCases: [], heldOutCases: 10, aucBefore: before, aucAfter: after)
        }
        let summary = FineTuning.DrawSummary([draw(0.7, 0.8), draw(0.8, 0.75), draw(0.6, 0.8)])
        // Δ = 0.1, −0.05, 0.2: mean 0.25/3, SD √(Σ(Δ − mean)² / 2).
        #expect(summary.draws == 3 && summary.raised == 2)
        expectClose(summary.meanDelta, 0.25 / 3, absolute: 1e-12)
        let m = 0.25 / 3
        expectClose(summary.sdDelta, (((0.1 - m) * (0.1 - m) + (-0.05 - m) * (-0.05 - m) + (0.2 - m) * (0.2 - m)) / 2).squareRoot(), absolute: 1e-12)
        expectClose(summary.minDelta, -0.05, absolute: 1e-12)
        expectClose(summary.maxDelta, 0.2, absolute: 1e-12)
        // SciPy: wilcoxon([0.1, -0.05, 0.2]) → exact, p = 0.5 (ranks 2, 1, 3; W = min(5, 1) = 1).
        expectClose(summary.wilcoxonP ?? .nan, 0.5, absolute: 1e-12)
    }

    /// Without batch-norm adaptation fine-tuning trains the last layer (stages 0) on each case's precomputed
    /// input, or with `stages` 1 layer4 and the last layer from layer3's activation computed once; either must
    /// equal training through the frozen rest of the network step by step, and nothing before the part moves.
    @Test(arguments: [0, 1]) func fineTuningOnPrecomputedInputsEqualsTrainingThroughTheNetwork(stages: Int) throws {
        let tuning = try ToyCrops.samples(7, seed: 6)
        let configuration = ToyCrops.fineTuning(epochs: 3, learningRate: 1e-2, batchSize: 3, seed: 9, stages: stages)
        let through = try ClassifierModel(card: ToyCrops.card(), seed: 3)
        try FineTuning.trainThroughNetwork(through, on: tuning, configuration: configuration, progress: .silent)
        let precomputed = try ClassifierModel(card: ToyCrops.card(), seed: 3)
        let inputs = try FineTuning.partInputs(precomputed, tuning, stages: stages)
        #expect(inputs.shape.count == (stages == 0 ? 2 : 5) && inputs.shape[0] == 7, "pooled features or layer3 activations")
        try FineTuning.trainPart(precomputed, inputs: inputs, on: tuning, configuration: configuration)
        let original = try ClassifierModel(card: ToyCrops.card(), seed: 3)
        for (name, a, b, o) in zip4(through, precomputed, original) {
            let x = try a.scalars(as: Double.self), y = try b.scalars(as: Double.self), z = try o.scalars(as: Double.self)
            #expect(zip(x, y).allSatisfy { abs($0 - $1) <= 1e-5 }, "\(name) differs")
            let buffer = name.contains("running") || name.contains("num_batches")
            let trained = name.hasPrefix("fc.") || (stages == 1 && name.hasPrefix("layer4.") && !buffer)
            #expect(trained ? x != z : x == z, "\(name)")
        }
        // Scores from the precomputed inputs equal the whole network's.
        let scores = try FineTuning.partScores(precomputed, inputs: inputs, stages: stages)
        for (a, b) in zip(scores, try ClassifierEvaluator.scores(precomputed, tuning)) { expectClose(a, b, absolute: 1e-6) }
        #expect(throws: ClassificationError.self) {
            try FineTuning.trainPart(precomputed, inputs: FineTuning.partInputs(precomputed, Array(tuning.prefix(3)), stages: stages),
                                     on: tuning, configuration: configuration)
        }
        #expect(throws: ClassificationError.self) { try FineTuning.partInputs(precomputed, tuning, stages: 5) }
    }

    private func zip4(_ a: ClassifierModel, _ b: ClassifierModel, _ c: ClassifierModel) -> [(String, Tensor, Tensor, Tensor)] {
        let bs = Dictionary(uniqueKeysWithValues: b.network.stateDict().map { ($0.name, $0.tensor) })
        let cs = Dictionary(uniqueKeysWithValues: c.network.stateDict().map { ($0.name, $0.tensor) })
        return a.network.stateDict().map { ($0.name, $0.tensor, bs[$0.name]!, cs[$0.name]!) }
    }

    /// The ceiling: out-of-fold scores of last layers fine-tuned on the other folds. On toy crops whose class the
    /// frozen features carry, a random last layer re-trained on 4/5 of the cases ranks them far better than
    /// before; the model's own last layer is left as it was.
    @Test func fineTuningCeilingUsesOutOfFoldScoresAndRestoresTheLastLayer() throws {
        let model = try ClassifierModel(card: ToyCrops.card(), seed: 3)
        let external = try ToyCrops.samples(30, seed: 8)
        let head = try model.network.lastLayer.parameters.map { try $0.clone() }
        var configuration = ToyCrops.fineTuning(epochs: 40, learningRate: 5e-2)
        let ceiling = try FineTuning.ceiling(model: model, external: external, configuration: configuration, folds: 5)
        #expect(ceiling.folds == 5 && ceiling.cases == 30 && ceiling.trainingCasesPerFold == 24)
        let original = try ROCCurve.areaUnderCurve(labels: external.map(\.positive), scores: ClassifierEvaluator.scores(model, external))
        expectClose(ceiling.aucOriginal, original, absolute: 1e-9)
        #expect(ceiling.aucFineTuned > 0.85 && ceiling.aucFineTuned > ceiling.aucOriginal + 0.15, "\(ceiling)")
        #expect(try zip(head, model.network.lastLayer.parameters).allSatisfy { try $0.equals($1) })
        #expect(!ceiling.principalVariance.isEmpty && ceiling.principalVariance.reduce(0, +) <= 1 + 1e-9)
        #expect(zip(ceiling.principalVariance, ceiling.principalVariance.dropFirst()).allSatisfy { $0 >= $1 })
        configuration.adaptBatchNorm = true
        #expect(throws: ClassificationError.self) { try FineTuning.ceiling(model: model, external: external, configuration: configuration) }
        configuration.adaptBatchNorm = false
        #expect(throws: ClassificationError.self) { try FineTuning.ceiling(model: model, external: Array(external.prefix(6)), configuration: configuration) }
    }

    @Test func fineTuningCanKeepTheDevelopmentThresholdOrAdaptBatchNorm() throws {
        let model = try ClassifierModel(card: ToyCrops.card(), seed: 3)
        let statistics = try model.network.stateDict().filter { $0.name.hasSuffix("running_mean") }.map { try $0.tensor.clone() }
        var configuration = ToyCrops.fineTuning(cases: 6, epochs: 2)
        configuration.threshold = .development
        configuration.adaptBatchNorm = true
        let result = try FineTuning.run(model: model, internalTest: ToyCrops.samples(8, seed: 5), external: ToyCrops.samples(14, seed: 6),
                                        configuration: configuration, progress: .silent)
        #expect(result.externalAfter.threshold == ToyCrops.card().threshold && result.externalAfter.thresholdSource == "model card")
        let adapted = try model.network.stateDict().filter { $0.name.hasSuffix("running_mean") }.map(\.tensor)
        #expect(try zip(statistics, adapted).contains { try !$0.equals($1) }, "batch-norm statistics re-estimated on the B cases")
    }
}

@Suite("Classifier evaluation")
struct ClassifierEvaluationTests {
    func samples(_ labels: [Bool]) throws -> [ClassificationSample] {
        try labels.enumerated().map { i, p in
            ClassificationSample(caseID: "c\(i)", positive: p, centre: "A", split: "test", subtype: "", storedInput: try Tensor.zeros([1, 1, 1, 1], dtype: .float16),
                                 hasLesion: true, ichVolumeML: 0, pheVolumeML: 0)
        }
    }

    @Test func reportMatchesHandComputedValues() throws {
        // Labels P P N P P N N at scores 0.9 … 0.3: of 4 × 3 pairs, N(0.7) outranks P(0.6) and P(0.5), so AUC = 10/12.
        let labels = [true, true, false, true, true, false, false]
        let scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3]
        let report = try ClassifierEvaluator.report(samples(labels), scores: scores, name: "hand", threshold: nil,
                                                    criterion: .sensitivityTimesSpecificity, bootstrapResamples: 200)
        expectClose(report.auc.value, 10.0 / 12.0)
        // sens × spec by threshold: 0.9 → ¼, 0.8 → ½, 0.7 → ½·⅔, 0.6 → ¾·⅔, 0.5 → 1·⅔ (the maximum), 0.4 → ⅓.
        expectClose(report.threshold, 0.5)
        #expect(report.confusion == ConfusionMatrix(truePositives: 4, falsePositives: 1, trueNegatives: 2, falseNegatives: 0))
        expectClose(report.accuracy.value, 6.0 / 7.0)
        #expect(report.accuracy.lower <= report.accuracy.value && report.accuracy.value <= report.accuracy.upper)
        let fixed = try ClassifierEvaluator.report(samples(labels), scores: scores, name: "fixed", threshold: 0.65,
                                                   criterion: .sensitivityTimesSpecificity, bootstrapResamples: 50)
        #expect(fixed.thresholdSource == "model card")
        expectClose(fixed.sensitivity.value, 0.5)
        expectClose(fixed.specificity.value, 2.0 / 3.0)
        let dir = try TemporaryDirectory()
        try ClassifierEvaluator.write(report, to: dir.url)
        for file in ["report.json", "predictions.csv", "roc.svg", "confusion.svg"] {
            #expect(FileManager.default.fileExists(atPath: dir.file(file).path), "\(file)")
        }
        let csv = try String(contentsOf: dir.file("predictions.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 8)
    }

    @Test func modelCardsRoundTripAndOtherVersionsAreRefused() throws {
        let dir = try TemporaryDirectory()
        let model = try ClassifierModel(card: ToyCrops.card(), seed: 1)
        model.card.threshold = 0.37
        try model.save(to: dir.url)
        let loaded = try ClassifierModel.load(from: dir.url)
        #expect(loaded.card == model.card)
        let x = try Tensor.rand([2, 1, 4, 16, 16], generator: Generator(seed: 2))
        #expect(try loaded.probabilities(x) == model.probabilities(x))
        var json = try String(contentsOf: dir.file("model.json"), encoding: .utf8)
        json = json.replacingOccurrences(of: "\"version\" : 1", with: "\"version\" : 99")
        try json.write(to: dir.file("model.json"), atomically: true, encoding: .utf8)
        #expect(throws: ClassificationError.self) { try ClassifierModel.load(from: dir.url) }
    }

    @Test func cropNormalisationMasksAndScales() throws {
        let geometry = VolumeGeometry(shape: VolumeShape(z: 1, y: 1, x: 4), spacingMM: SpacingMM(z: 1, y: 1, x: 1))
        let image = try Volume<Float>(geometry: geometry, voxels: [60, 25, -50, 300])
        let labels = try LabelMap(geometry: geometry, voxels: [1, 2, 2, 0])
        let crop = LesionCrop(lesion: Component(id: 1, voxelCount: 1, volumeML: 0.001, boundingBoxMin: VoxelIndex(z: 0, y: 0, x: 0),
                                                boundingBoxMax: VoxelIndex(z: 0, y: 0, x: 0), centroidVoxel: VoxelPoint(z: 0, y: 0, x: 0),
                                                centroidWorldMM: WorldPointMM(x: 0, y: 0, z: 0)),
                              pheVolumeML: 0.002, isLargest: true, origin: VoxelIndex(z: 0, y: 0, x: 0), scanGeometry: geometry,
                              image: image, labels: labels)
        let x = try CropNormalization(lowerHU: 0, upperHU: 100).input(for: crop)
        #expect(x.shape == [1, 1, 1, 4])
        expectClose(try x.scalars(as: Double.self), [0.6, 0.25, 0, 0])  // −50 HU clamps to 0; outside the lesion 0
    }

    @Test func cachedCropsAreRemadeWhenTheirSourceFilesChange() throws {
        let folder = try TemporaryDirectory()
        let dataset = folder.url.appendingPathComponent("Dataset900_Cache")
        for sub in ["imagesTr", "labelsTr"] {
            try FileManager.default.createDirectory(at: dataset.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let geometry = VolumeGeometry(shape: VolumeShape(z: 2, y: 8, x: 8), spacingMM: SpacingMM(z: 5, y: 1, x: 1))
        func write(ich: Int16) throws {
            let image = try Volume<Int16>(geometry: geometry, voxels: (0..<128).map { $0 == 27 ? ich : 30 })
            let labels = try LabelMap(geometry: geometry, voxels: (0..<128).map { $0 == 27 ? 1 : ($0 == 28 ? 2 : 0) })
            try NIfTIFile.write(image, to: dataset.appendingPathComponent("imagesTr/c1_0000.nii.gz"))
            try NIfTIFile.write(labels, to: dataset.appendingPathComponent("labelsTr/c1.nii.gz"))
        }
        try CohortTable(records: [CohortRecord(caseID: "c1", label: "neoplastic", subtype: "metastasis", centre: "A", split: "train")])
            .write(to: dataset.appendingPathComponent("cohort.csv"))
        let cache = folder.url.appendingPathComponent("cache")
        let size = VolumeShape(z: 2, y: 4, x: 4)
        try write(ich: 60)
        let first = try ClassificationDatasetLoader.load(dataset: dataset, cropSize: size, cache: cache)
        let firstValues = try first[0].input().scalars(as: Float.self)
        #expect(abs((firstValues.max() ?? 0) - 0.6) < 1e-3)
        // Loading again with unchanged files gives the same crop (from the cache)…
        #expect(try ClassificationDatasetLoader.load(dataset: dataset, cropSize: size, cache: cache)[0].input().scalars(as: Float.self)
                == firstValues)
        // …but a regenerated case (new file, new modification time) is cropped again, not served stale.
        try FileManager.default.removeItem(at: dataset.appendingPathComponent("imagesTr/c1_0000.nii.gz"))
        try write(ich: 80)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 10)],
                                              ofItemAtPath: dataset.appendingPathComponent("imagesTr/c1_0000.nii.gz").path)
        let again = try ClassificationDatasetLoader.load(dataset: dataset, cropSize: size, cache: cache)
        #expect(abs((try again[0].input().scalars(as: Float.self).max() ?? 0) - 0.8) < 1e-3)
    }
}
