import Foundation
import Imaging
import Segmentation
import TestSupport
import Testing

@Suite("Training")
struct SegmentationTrainerTests {
    @Test("a tiny U-Net learns a bright blob in a dark shell; held-out Dice ICH > 0.75, PHE > 0.5")
    func learnsSyntheticLesions() throws {
        let model = try TrainedTinyModel.shared.get()
        let losses = model.history.map(\.meanLoss)
        #expect(losses.count == TrainedTinyModel.configuration.epochs)
        #expect(try #require(losses.last) < losses[0])
        let (image, labels) = try SyntheticLesions.makeCase(seed: 100)
        let predictor = SlidingWindowPredictor(network: model.network, plans: model.plans, configuration: PredictionConfiguration(mirroring: false))
        let predicted = try predictor.predict(image)
        #expect(predicted.geometry == image.geometry)
        let evaluation = try SegmentationEvaluation(pairs: [("held-out", predicted, labels)])
        let dice = evaluation.cases[0].dice
        print("tiny U-Net: \(model.trainingSeconds) s training, held-out Dice \(dice), losses \(losses), val \(model.history.map(\.validationDice))")
        #expect(try #require(dice[0]) > 0.75)
        #expect(try #require(dice[1]) > 0.5)
    }

    @Test("resume from checkpoint_latest continues exactly where an uninterrupted run would be")
    func resume() throws {
        let plans = SyntheticLesions.tinyPlans(patch: [8, 16, 16], features: [2, 4])
        let cases = try (0..<2).map { seed in
            let (image, labels) = try SyntheticLesions.makeCase(seed: UInt64(seed), shape: VolumeShape(z: 12, y: 24, x: 24))
            return try PreprocessedCase(id: "c\(seed)", image: image, labels: labels, plans: plans)
        }
        var configuration = TrainingConfiguration()
        configuration.epochs = 2
        configuration.iterationsPerEpoch = 3
        configuration.validationIterations = 1
        configuration.checkpointEvery = 1
        let straight = try TemporaryDirectory(), interrupted = try TemporaryDirectory()
        let full = try SegmentationTrainer(plans: plans, configuration: configuration, training: cases,
                                           outputFolder: straight.url, progressStyle: .silent)
        try full.train()
        var half = configuration
        half.epochs = 1
        let first = try SegmentationTrainer(plans: plans, configuration: half, training: cases, outputFolder: interrupted.url,
                                            progressStyle: .silent)
        try first.train()
        let resumed = try SegmentationTrainer(plans: plans, configuration: configuration, training: cases,
                                              outputFolder: interrupted.url, progressStyle: .silent)
        try resumed.train(resume: true)
        #expect(resumed.history.count == 2)
        expectClose(resumed.history.map(\.meanLoss), full.history.map(\.meanLoss), absolute: 1e-5, relative: 1e-4)
        for ((name, a), (_, b)) in zip(resumed.network.stateDict(), full.network.stateDict()) {
            expectClose(try a.scalars(as: Float.self), try b.scalars(as: Float.self), absolute: 1e-5, relative: 1e-4, name)
        }
        for name in ["checkpoint_latest", "checkpoint_best", "checkpoint_final"] {
            #expect(FileManager.default.fileExists(atPath: straight.file("\(name).safetensors").path))
        }
    }

    @Test("foreground oversampling: the last third of a batch holds foreground")
    func oversampling() throws {
        let plans = SyntheticLesions.tinyPlans(patch: [8, 8, 8], features: [2, 4])
        let (image, labels) = try SyntheticLesions.makeCase(seed: 3)
        let item = try PreprocessedCase(id: "c", image: image, labels: labels, plans: plans)
        #expect(item.classLocations.count == 3 && !item.classLocations[1].isEmpty)
        let batches = try SegmentationTrainer.sampleBatches(cases: [item], patchSize: [8, 8, 8], batchSize: 3, count: 20, seed: 1)
        for labelsBatch in batches {
            // round(3 · 0.67) = 2 random samples, the third forced.
            #expect(try labelsBatch.select(0, 2).gt(0).any().item() == 1)
        }
    }
}
